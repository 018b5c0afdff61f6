#!/usr/bin/env bash
# Starts or stops a throw-away Redis master watched by one Sentinel, on
# loopback, for the redisstore tests (which call this script themselves).
#
#   .ci/redis-sentinel.sh start [BASE]   master on BASE, Sentinel on BASE+1 (default 7401),
#                                        master name "ginsession"; nothing kept on disk
#   .ci/redis-sentinel.sh stop  [BASE]   stops exactly the servers that start launched
#
# State lives in ${TMPDIR:-/tmp}/ginsession-redis-sentinel-BASE.
set -euo pipefail
. "$(dirname "$0")/redis-lib.sh"

cmd="${1:-}"
base="${2:-7401}"
master=$base
sentinel=$((base + 1))
dir="${TMPDIR:-/tmp}/ginsession-redis-sentinel-$base"

stop() {
  stop_pidfiles "$dir/master.pid" "$dir/sentinel.pid"
  rm -rf "$dir"
}

start() {
  require_free_ports "$master" "$sentinel"
  rm -rf "$dir"
  mkdir -p "$dir"
  redis-server --port "$master" --bind 127.0.0.1 --dir "$dir" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/master.pid" --logfile "$dir/master.log"
  # Sentinel rewrites its config file, so it gets one of its own.
  cat >"$dir/sentinel.conf" <<CONF
port $sentinel
bind 127.0.0.1
dir $dir
daemonize yes
pidfile $dir/sentinel.pid
logfile $dir/sentinel.log
sentinel monitor ginsession 127.0.0.1 $master 1
sentinel down-after-milliseconds ginsession 5000
CONF
  redis-server "$dir/sentinel.conf" --sentinel
  for _ in $(seq 200); do
    if [ "$(redis-cli -p "$sentinel" sentinel get-master-addr-by-name ginsession 2>/dev/null | tr '\n' ' ')" = "127.0.0.1 $master " ] &&
       [ "$(redis-cli -p "$master" ping 2>/dev/null)" = PONG ]; then
      echo "Redis master on $master, Sentinel on $sentinel"
      return 0
    fi
    sleep 0.05
  done
  echo "Sentinel did not come up:" >&2
  cat "$dir"/*.log >&2 || true
  stop
  exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [BASE]" >&2; exit 64 ;;
esac
