#!/usr/bin/env bash
# Starts or stops a throw-away 3-master Redis Cluster on loopback for the
# redisstore tests (which call this script themselves, so `go test` alone works).
#
#   .ci/redis-cluster.sh start [BASE]   masters on BASE, BASE+1, BASE+2 (default 7301);
#                                       cluster bus on those +10000; nothing kept on disk
#   .ci/redis-cluster.sh stop  [BASE]   stops exactly the servers that start launched
#
# State (pid files, nodes.conf, logs) lives in ${TMPDIR:-/tmp}/ginsession-redis-cluster-BASE.
set -euo pipefail
. "$(dirname "$0")/redis-lib.sh"

cmd="${1:-}"
base="${2:-7301}"
ports=("$base" "$((base + 1))" "$((base + 2))")
dir="${TMPDIR:-/tmp}/ginsession-redis-cluster-$base"

stop() {
  stop_pidfiles $(for p in "${ports[@]}"; do echo "$dir/$p/redis.pid"; done)
  rm -rf "$dir"
}

start() {
  require_free_ports "${ports[@]}"
  rm -rf "$dir"
  for p in "${ports[@]}"; do
    mkdir -p "$dir/$p"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file "$dir/$p/nodes.conf" --cluster-node-timeout 5000 \
      --dir "$dir/$p" --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/$p/redis.pid" --logfile "$dir/$p/redis.log"
  done
  for p in "${ports[@]}"; do
    for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
    redis-cli -p "$p" ping >/dev/null || { echo "Redis on $p did not start:" >&2; cat "$dir/$p/redis.log" >&2; stop; exit 1; }
  done
  # redis-cli waits for the nodes to meet with no limit: a port another test took makes that forever.
  timeout 60 redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1 ||
    { cat "$dir/create.log" >&2; stop; exit 1; }
  for _ in $(seq 200); do
    ok=1
    for p in "${ports[@]}"; do
      redis-cli -p "$p" cluster info 2>/dev/null | grep -q '^cluster_state:ok' || ok=0
    done
    [ "$ok" = 1 ] && { echo "Redis Cluster up on ${ports[*]}"; return 0; }
    sleep 0.05
  done
  echo "Redis Cluster did not reach cluster_state:ok" >&2; stop; exit 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [BASE]" >&2; exit 64 ;;
esac
