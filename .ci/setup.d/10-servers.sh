#!/usr/bin/env bash
# Makes sure the servers the store tests use are installed and answering:
#   MariaDB on 127.0.0.1:3306, root without a password over TCP, database `test`
#   Redis on 127.0.0.1:6379 (redis-server and redis-cli also serve the cluster
#     test's own servers, started by .ci/redis-cluster.sh)
#   PostgreSQL on 127.0.0.1:5432, trust auth for postgres, database `test`
# Idempotent, and quick (a few pings) when everything is already up.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

updated=0
need() { # need PACKAGE... : apt-get install those not installed yet
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$updated" = 0 ]; then apt-get update -qq; updated=1; fi
  echo "installing ${missing[*]}"
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

wait_for() { # wait_for WHAT COMMAND... : up to 60 s
  local what=$1; shift
  for _ in $(seq 600); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "$what did not answer within 60 s" >&2
  return 1
}

# --- MariaDB ---------------------------------------------------------------
my_tcp() { mysql --protocol=tcp -h127.0.0.1 -P3306 -uroot "$@"; }
if ! my_tcp -e 'SELECT 1' >/dev/null 2>&1; then
  need mariadb-server mariadb-client
  if ! mysqladmin ping >/dev/null 2>&1; then
    install -d -o mysql -g mysql /run/mysqld /var/log/mysql
    if [ ! -d /var/lib/mysql/mysql ]; then
      mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    fi
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    wait_for "MariaDB (socket)" mysqladmin ping
  fi
  # Root over TCP without a password, whether or not the server resolves
  # 127.0.0.1 to localhost (skip-name-resolve). The unix_socket login keeps
  # working for root on the socket.
  mysql -uroot <<'SQL'
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
FLUSH PRIVILEGES;
SQL
  wait_for "MariaDB on 127.0.0.1:3306" my_tcp -e 'SELECT 1'
fi
my_tcp -e 'CREATE DATABASE IF NOT EXISTS test'
echo "MariaDB: $(my_tcp -N -e 'SELECT VERSION()')"

# --- Redis -----------------------------------------------------------------
if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  need redis-server redis-tools
fi
if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" != PONG ]; then
  install -d /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for "Redis on 127.0.0.1:6379" sh -c '[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = PONG ]'
fi
echo "Redis: $(redis-cli -h 127.0.0.1 -p 6379 info server | grep -m1 redis_version | tr -d '\r')"

# --- PostgreSQL ------------------------------------------------------------
pg_tcp() { psql -h 127.0.0.1 -p 5432 -U postgres -w "$@"; }
if ! pg_tcp -d postgres -Atc 'SELECT 1' >/dev/null 2>&1; then
  need postgresql
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  if ! grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    # Tests only: trust loopback TCP, ahead of the stock rules.
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  if pg_ctlcluster "$ver" main status >/dev/null 2>&1; then
    pg_ctlcluster "$ver" main reload
  else
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  fi
  wait_for "PostgreSQL on 127.0.0.1:5432" pg_tcp -d postgres -Atc 'SELECT 1'
fi
if [ "$(pg_tcp -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'test'")" != 1 ]; then
  pg_tcp -d postgres -c 'CREATE DATABASE test' >/dev/null
fi
echo "PostgreSQL: $(pg_tcp -d test -Atc 'SHOW server_version')"
