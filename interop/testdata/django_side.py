"""The Django half of ginsession's interop tests.

Usage: django_side.py COMMAND, with a JSON request on stdin; it prints a JSON
response on stdout. Run with Debian's /usr/bin/python3 and
DJANGO_SETTINGS_MODULE=interop_settings. Session data travels as JSON text
("json" fields) so that Python parses it itself, keeping key order and the
difference between 1 and 1.0.
"""
import datetime
import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.sessions.backends import db, signed_cookies  # noqa: E402


def same(a, b):
    """Equal values of the same types, with dict keys in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def compared(data, req):
    """Answer for session data Django read: the data, and whether it is the
    request's "json"."""
    return {"json": json.dumps(data), "same": same(data, json.loads(req["json"]))}


def sqlite():
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def database_name():
    """The test's own database; anything else is refused, so that a wrong
    environment can never drop a real database. (A SQLite file lives in the
    test's temporary directory and goes with it.)"""
    name = settings.DATABASES["default"]["NAME"]
    if not name.startswith("ginsession_interop_"):
        raise SystemExit("refusing to touch database %r" % name)
    return name


def fill(store, data_json):
    for k, v in json.loads(data_json).items():
        store[k] = v


def cmd_version(req):
    return {"version": django.get_version(), "fallbacks": hasattr(settings, "SECRET_KEY_FALLBACKS") and django.VERSION >= (4, 1)}


def cmd_cookie_seal(req):
    s = signed_cookies.SessionStore()
    fill(s, req["json"])
    s.save()
    return {"value": s.session_key}


def cmd_cookie_open(req):
    s = signed_cookies.SessionStore(session_key=req["value"])
    data = s.load()
    out = compared(data, req)
    # load() of an unreadable cookie returns {} and marks the session
    # modified (it "creates" a new one); a good cookie leaves it unmodified.
    out["accepted"] = not s.modified
    return out


def cmd_encode(req):
    return {"value": db.SessionStore().encode(json.loads(req["json"]))}


def cmd_decode(req):
    data = db.SessionStore().decode(req["value"])
    return compared(data, req)


def _mysql(sql):
    import MySQLdb
    d = settings.DATABASES["default"]
    conn = MySQLdb.connect(host=d["HOST"], port=int(d["PORT"]), user=d["USER"], passwd=d["PASSWORD"])
    try:
        conn.cursor().execute(sql)
    finally:
        conn.close()


def cmd_db_create(req):
    if not sqlite():
        _mysql("CREATE DATABASE `%s` CHARACTER SET utf8mb4" % database_name())
    from django.core.management import call_command
    call_command("migrate", "sessions", verbosity=0)
    from django.db import connection
    with connection.cursor() as c:
        if sqlite():
            c.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'django_session' AND sql IS NOT NULL ORDER BY type DESC")
            ddl = ";\n".join(r[0] for r in c.fetchall())
        else:
            c.execute("SHOW CREATE TABLE django_session")
            ddl = c.fetchone()[1]
    return {"ddl": ddl}


def cmd_db_drop(req):
    if not sqlite():
        _mysql("DROP DATABASE IF EXISTS `%s`" % database_name())
    return {}



def _expiry(key):
    from django.contrib.sessions.models import Session
    row = Session.objects.get(pk=key)
    return row.expire_date.isoformat()


def cmd_db_save(req):
    s = db.SessionStore()
    fill(s, req["json"])
    if req.get("expiry") is not None:
        s.set_expiry(req["expiry"])
    s.save()
    return {"key": s.session_key, "expire_date": _expiry(s.session_key)}


def cmd_db_load(req):
    s = db.SessionStore(session_key=req["key"])
    data = s.load()
    out = compared(data, req)
    # load() forgets the key of a missing or expired row.
    out["found"] = s.session_key is not None
    if out["found"]:
        out["expire_date"] = _expiry(req["key"])
    return out


def cmd_db_update(req):
    """Django changes a session a Go request made: the entries of "set"
    stored, saved as any view's change would be."""
    s = db.SessionStore(session_key=req["key"])
    fill(s, req["set"])
    s.save()
    out = compared(s.load(), req)
    out["expire_date"] = _expiry(req["key"])
    return out


# django.contrib.auth (the auth_* commands need auth_migrate first).


def _user_json(user):
    """What the Go side learns of a user: None for AnonymousUser."""
    if not user.is_authenticated:
        return None
    return {"id": user.pk, "username": user.get_username(), "password": user.password}


def _request(session):
    from django.http import HttpRequest
    r = HttpRequest()
    r.session = session
    return r


def cmd_auth_migrate(req):
    from django.core.management import call_command
    call_command("migrate", "auth", verbosity=0)  # contenttypes first, as auth depends on it
    from django.db import connection
    return {"tables": sorted(connection.introspection.table_names())}


def cmd_auth_create_user(req):
    from django.contrib.auth.models import User
    u = User.objects.create_user(req["username"], password=req["password"])
    u.refresh_from_db()
    return _user_json(u)


def cmd_auth_set_password(req):
    from django.contrib.auth.models import User
    u = User.objects.get(username=req["username"])
    u.set_password(req["password"])
    u.save()
    u.refresh_from_db()
    return _user_json(u)


def cmd_auth_login(req):
    """django.contrib.auth.login on a fresh session, saved as the session
    middleware would."""
    from django.contrib.auth import login
    from django.contrib.auth.models import User
    u = User.objects.get(username=req["username"])
    request = _request(db.SessionStore())
    login(request, u)
    request.session.save()
    return {"key": request.session.session_key, "json": json.dumps(dict(request.session.items()))}


def cmd_auth_get_user(req):
    """django.contrib.auth.get_user on the session req["key"], as
    AuthenticationMiddleware does; "session_key" is the key afterwards (None
    once get_user flushed it), "row" whether the row of req["key"] is still
    in django_session."""
    from django.contrib.auth import get_user
    from django.contrib.sessions.models import Session
    request = _request(db.SessionStore(session_key=req["key"]))
    user = get_user(request)
    row = Session.objects.filter(session_key=req["key"]).exists()
    return {"user": _user_json(user), "session_key": request.session.session_key, "row": row}


# Django's password hashers (auth/djangohash's interop test).


def cmd_auth_create_user_hashed(req):
    """A user whose password Django hashed with req["hasher"] at its default
    costs, as set_password does when that hasher comes first in
    PASSWORD_HASHERS."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    u = User.objects.create_user(req["username"])
    u.password = make_password(req["password"], hasher=req["hasher"])
    u.save()
    u.refresh_from_db()
    return _user_json(u)


def cmd_auth_authenticate(req):
    """django.contrib.auth.authenticate, as a login form calls it: the user,
    or None for a wrong password."""
    from django.contrib.auth import authenticate
    return {"user": _user_json(authenticate(None, username=req["username"], password=req["password"]) or _anonymous())}


def _anonymous():
    from django.contrib.auth.models import AnonymousUser
    return AnonymousUser()


def _scrypt(password, salt, n, r, p):
    """Django 4.0's ScryptPasswordHasher.encode, which Django 3.2 lacks:
    hashlib.scrypt with a 64-byte key, in base64."""
    import base64
    import hashlib
    key = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=0, dklen=64)
    return "scrypt$%d$%s$%d$%d$%s" % (n, salt, r, p, base64.b64encode(key).decode("ascii"))


def cmd_scrypt_make(req):
    from django.utils.crypto import get_random_string
    return {"encoded": _scrypt(req["password"], get_random_string(22), 2 ** 14, 8, 1)}


def cmd_scrypt_check(req):
    """Django 4.0's ScryptPasswordHasher.verify."""
    from django.utils.crypto import constant_time_compare
    algorithm, n, salt, r, p, _ = req["encoded"].split("$", 5)
    assert algorithm == "scrypt"
    return {"ok": constant_time_compare(req["encoded"], _scrypt(req["password"], salt, int(n), int(r), int(p)))}


# django.contrib.messages with SessionStorage, on a django_session row.


def _message_json(m):
    from django.utils.safestring import SafeData
    return {"level": m.level, "message": str(m.message), "extra_tags": m.extra_tags,
            "tags": m.tags, "safe": isinstance(m.message, SafeData)}


def _messages_request(key):
    request = _request(db.SessionStore(session_key=key))
    from django.contrib.messages.storage.session import SessionStorage
    return request, SessionStorage(request)


def cmd_messages_add(req):
    """messages.add_message through SessionStorage for each of req["messages"]
    on the session req["key"] (a new one when None), stored and saved as the
    message and session middlewares do at the response."""
    from django.http import HttpResponse
    from django.utils.safestring import mark_safe
    request, storage = _messages_request(req.get("key"))
    for m in req["messages"]:
        text = mark_safe(m["message"]) if m.get("safe") else m["message"]
        storage.add(m["level"], text, m.get("extra_tags", ""))
    storage.update(HttpResponse())
    request.session.save()
    return {"key": request.session.session_key, "raw": request.session.get(storage.session_key)}


def cmd_messages_read(req):
    """Iterate the messages of the session req["key"] as a template would,
    then store what is left and save, as the middlewares do."""
    from django.http import HttpResponse
    request, storage = _messages_request(req["key"])
    raw = request.session.get(storage.session_key)
    out = [_message_json(m) for m in storage]
    storage.update(HttpResponse())
    request.session.save()
    return {"messages": out, "raw": raw, "left": request.session.get(storage.session_key)}


def main():
    cmd = sys.argv[1]
    req = json.load(sys.stdin)
    resp = globals()["cmd_" + cmd](req)
    json.dump(resp, sys.stdout)


if __name__ == "__main__":
    main()
