#!/usr/bin/env bash
# Installs Debian's Django and MySQLdb for the interop tests (interop/), which
# run /usr/bin/python3. Quick when both are already importable.
set -euo pipefail

if /usr/bin/python3 -c 'import django, MySQLdb' 2>/dev/null; then
  echo "django $(/usr/bin/python3 -c 'import django; print(django.get_version())') and MySQLdb present"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3-django python3-mysqldb >/dev/null
/usr/bin/python3 -c 'import django, MySQLdb; print("installed django", django.get_version())'
