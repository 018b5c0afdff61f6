#!/usr/bin/env bash
# Installs Debian's Django, MySQLdb, psycopg2 and django-redis for the interop tests
# (interop/) and example_app's PostgreSQL auth_user test, which run
# /usr/bin/python3. Quick when all four are already importable.
set -euo pipefail

if /usr/bin/python3 -c 'import django, MySQLdb, psycopg2, django_redis' 2>/dev/null; then
  echo "django $(/usr/bin/python3 -c 'import django; print(django.get_version())'), MySQLdb, psycopg2 and django-redis present"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3-django python3-mysqldb python3-psycopg2 python3-django-redis >/dev/null
/usr/bin/python3 -c 'import django, MySQLdb, psycopg2, django_redis; print("installed django", django.get_version())'
