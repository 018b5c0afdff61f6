#!/usr/bin/env bash
# Installs Debian's Django, MySQLdb and psycopg2 for the interop tests
# (interop/) and example_app's PostgreSQL auth_user test, which run
# /usr/bin/python3. Quick when all three are already importable.
set -euo pipefail

if /usr/bin/python3 -c 'import django, MySQLdb, psycopg2' 2>/dev/null; then
  echo "django $(/usr/bin/python3 -c 'import django; print(django.get_version())'), MySQLdb and psycopg2 present"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3-django python3-mysqldb python3-psycopg2 >/dev/null
/usr/bin/python3 -c 'import django, MySQLdb, psycopg2; print("installed django", django.get_version())'
