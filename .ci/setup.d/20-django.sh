#!/usr/bin/env bash
# Installs Debian's Django, MySQLdb and psycopg2 for the interop tests
# (interop/) and example_app's PostgreSQL auth_user test, which run
# /usr/bin/python3; argon2-cffi and bcrypt for Django's Argon2 and
# BCryptSHA256 password hashers (interop/hashers_test.go); django-redis for
# the cached_db site (interop/cached_db_test.go) and the cache engine site
# (interop/djangocache_test.go). Quick when all are already
# importable.
set -euo pipefail

if /usr/bin/python3 -c 'import django, MySQLdb, psycopg2, argon2, bcrypt, django_redis' 2>/dev/null; then
  echo "django $(/usr/bin/python3 -c 'import django; print(django.get_version())'), MySQLdb, psycopg2, argon2, bcrypt and django_redis present"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq python3-django python3-mysqldb python3-psycopg2 python3-argon2 python3-bcrypt python3-django-redis >/dev/null
/usr/bin/python3 -c 'import django, MySQLdb, psycopg2, argon2, bcrypt, django_redis; print("installed django", django.get_version())'
