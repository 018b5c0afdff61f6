#!/usr/bin/env bash
# Load test of example_app on loopback, once per store (Redis, MySQL):
#   1. wrk, CONNS connections (default 64) for DURATION seconds (default 30),
#      every request loading and saving one of 256 existing sessions: req/s,
#      latency percentiles, and the count of non-2xx answers (must be 0);
#   2. scripts/loaddriver, 64 clients with a session each incrementing their
#      visit counter N times in sequence (default 200): every answer must
#      show the expected count (0 lost updates).
# Redis runs as a private redis-server on a spare port; MySQL gets a database
# of its own on the server at MYSQL_ADDR (default 127.0.0.1:3306, user root),
# dropped at the end. Nothing listens beyond 127.0.0.1.
#
#   scripts/load.sh [DURATION]        STORES="redis" CONNS=64 N=200 scripts/load.sh 30
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
DURATION=${1:-30}
CONNS=${CONNS:-64}
N=${N:-200}
STORES=${STORES:-"redis mysql"}
MYSQL_ADDR=${MYSQL_ADDR:-127.0.0.1:3306}
MYSQL_USER=${MYSQL_USER:-root}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
tmp=$(mktemp -d)
pids=()
db=""
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  if [ -n "$db" ]; then mysql -u"$MYSQL_USER" -h"${MYSQL_ADDR%:*}" -P"${MYSQL_ADDR#*:}" -e "DROP DATABASE IF EXISTS $db" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

spare_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {
  for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "nothing answers at $1" >&2; return 1
}

echo "== building example_app and loaddriver"
go build -o "$tmp/example_app" ./example_app
go build -o "$tmp/loaddriver" ./scripts/loaddriver
secret=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
echo "machine: $(nproc) cores, $(go version | cut -d' ' -f3), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1,2), load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for store in $STORES; do
  args=(-store "$store")
  case "$store" in
    redis)
      rport=$(spare_port)
      redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$tmp" >"$tmp/redis.log" 2>&1 &
      pids+=($!)
      for _ in $(seq 1 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
      args+=(-redis-addr "127.0.0.1:$rport") ;;
    mysql)
      db="gs_load_$$"
      mysql -u"$MYSQL_USER" -h"${MYSQL_ADDR%:*}" -P"${MYSQL_ADDR#*:}" -e "CREATE DATABASE $db"
      args+=(-mysql-dsn "$MYSQL_USER@tcp($MYSQL_ADDR)/$db") ;;
    *) echo "unknown store $store" >&2; exit 2 ;;
  esac
  port=$(spare_port)
  url="http://127.0.0.1:$port"
  "$tmp/example_app" "${args[@]}" -addr "127.0.0.1:$port" -secret "$secret" >"$tmp/app-$store.log" 2>&1 &
  app=$!
  pids+=($app)
  wait_http "$url/"
  echo "== $store: wrk -t2 -c$CONNS -d${DURATION}s, 256 sessions in rotation"
  "$tmp/loaddriver" -url "$url" -clients 256 -cookies "$tmp/cookies"
  GS_COOKIES="$tmp/cookies" wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s scripts/load.lua "$url/" | tee "$tmp/wrk-$store.txt"
  result=$(grep '^GS_RESULT' "$tmp/wrk-$store.txt")
  case "$result" in *" bad_status=0 socket_errors=0") ;; *) echo "FAIL: $store: unexpected statuses or socket errors" >&2; status=1 ;; esac
  echo "== $store: lost-update check, 64 clients x $N sequential increments"
  "$tmp/loaddriver" -url "$url" -clients 64 -n "$N" || { echo "FAIL: $store: lost updates" >&2; status=1; }
  # wrk closes its connections mid-request when time is up: those requests'
  # contexts end and their saves fail with "context canceled"; any other
  # error is a failure.
  cancelled=$(grep -c 'level=ERROR.*context canceled' "$tmp/app-$store.log" || true)
  echo "app log: $cancelled saves cut short by clients closing their connections at the end"
  if grep 'level=ERROR' "$tmp/app-$store.log" | grep -vq 'context canceled'; then
    echo "FAIL: $store: the app logged errors:" >&2; grep 'level=ERROR' "$tmp/app-$store.log" | grep -v 'context canceled' | head -5 >&2; status=1
  fi
  kill "$app"; wait "$app" 2>/dev/null || true
done
exit $status
