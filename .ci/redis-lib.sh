# Shared by redis-cluster.sh and redis-sentinel.sh (sourced, not run).

# stop_pidfiles FILE...: stop each server named by a pid file, SIGKILL after 5 s.
stop_pidfiles() {
  local f pid
  for f in "$@"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

# require_free_ports PORT...: exit unless redis-server and redis-cli exist and no port serves Redis.
require_free_ports() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
    echo "redis-server and redis-cli are needed (apt-get install redis-server redis-tools)" >&2; exit 2; }
  local p
  for p in "$@"; do
    if redis-cli -p "$p" ping >/dev/null 2>&1; then
      echo "port $p is already serving Redis; pick another BASE" >&2; exit 3
    fi
  done
}
