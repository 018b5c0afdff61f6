// Package interop proves, against a real Django, that ginsession and Django
// read each other's sessions: signed cookies (cookiestore), signed session
// data (ginsession.DjangoCodec) and rows of the django_session table
// (sqlstore), including secret rotation, and logins: a user of Django's
// auth_user logged in by the auth package is Django's get_user, a Django
// login is auth.CurrentUser, and a password changed in Django ends the old
// logins of both sides; a Django site on cached_db (django-redis) sees the
// Go service's logouts, logins and writes at its next request
// (sqlstore.WithDjangoCache); a site on the cache engine (django-redis)
// and a Gin service on stores/djangocache share sessions, logins and flash
// messages both ways; and passwords set by each of Django's hashers
// log in through Go and back (auth/djangohash). The table tests run on
// MariaDB and on SQLite
// (Django's default database: both sides open one temporary db.sqlite3,
// Django through its own sqlite3 backend).
//
// It has no code of its own, only tests. They run Debian's Django through
// /usr/bin/python3 with the scripts and settings in testdata; .ci/setup.d
// installs it. Without Django the tests skip, except when CI=true, where a
// missing Django is a failure.
package interop
