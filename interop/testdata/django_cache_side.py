"""The Django half of the cache session engine's interop tests: Django's
cache SessionStore on django-redis (cache_settings), driven as
django_side.py is: django_cache_side.py COMMAND, a JSON request on stdin, a
JSON answer on stdout.

Session data Django reads is answered as repr(): it tells a tuple from a
list, 1 from 1.0, and shows a datetime and its tzinfo.
"""
import datetime
import json
import sys

import django

django.setup()

from django.contrib.sessions.backends.cache import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django_redis import get_redis_connection  # noqa: E402


def fill(session, req):
    """The entries of req["json"], lists under req["tuples"] as tuples, and
    set_expiry(timedelta(seconds=req["expiry_delta"])), which 3.2 keeps as
    a datetime."""
    for k, v in json.loads(req.get("json", "{}")).items():
        session[k] = tuple(v) if k in req.get("tuples", []) else v
    if req.get("expiry_delta") is not None:
        session.set_expiry(datetime.timedelta(seconds=req["expiry_delta"]))


def described(session):
    return {"key": session.session_key, "repr": repr(dict(session.items())), "ttl": ttl(session.session_key)}


def ttl(key):
    """The Redis TTL of the session's cache entry, in seconds."""
    if key is None:
        return None
    return get_redis_connection("default").ttl(cache.make_key(SessionStore.cache_key_prefix + key))


def cmd_save(req):
    s = SessionStore()
    fill(s, req)
    s.save()
    return described(s)


def cmd_load(req):
    s = SessionStore(session_key=req["key"])
    s.load()
    # load() forgets the key of a missing or unreadable entry.
    out = described(s)
    out["found"] = s.session_key is not None
    return out


def cmd_update(req):
    s = SessionStore(session_key=req["key"])
    s.load()
    fill(s, req)
    s.save()
    return described(s)


def cmd_raw(req):
    """The cache entry's bytes, for the test to check their format."""
    import base64
    raw = get_redis_connection("default").get(cache.make_key(SessionStore.cache_key_prefix + req["key"]))
    return {"raw": None if raw is None else base64.b64encode(raw).decode()}


# Django 4.0+'s RedisCache is not in Django 3.2: these two commands store
# and read a session dict as its RedisSerializer does (an int as it is,
# anything else pickle.dumps(obj, pickle.HIGHEST_PROTOCOL); loads: int(data),
# else pickle.loads(data)), under the same cache key, with redis-py.


def _rediscache_key(key):
    return cache.make_key(SessionStore.cache_key_prefix + key)


def cmd_rediscache_save(req):
    import pickle
    s = SessionStore()
    fill(s, req)
    key = s._get_new_session_key()
    get_redis_connection("default").set(_rediscache_key(key), pickle.dumps(dict(s.items()), pickle.HIGHEST_PROTOCOL), ex=s.get_expiry_age(), nx=True)
    return {"key": key}


def cmd_rediscache_load(req):
    import pickle
    data = get_redis_connection("default").get(_rediscache_key(req["key"]))
    try:
        value = int(data)
    except ValueError:
        value = pickle.loads(data)
    return {"repr": repr(value)}


def _user_json(user):
    if not user.is_authenticated:
        return None
    return {"id": user.pk, "username": user.get_username(), "password": user.password}


def _request(session):
    from django.http import HttpRequest
    r = HttpRequest()
    r.session = session
    return r


def cmd_auth_login(req):
    from django.contrib.auth import login
    from django.contrib.auth.models import User
    request = _request(SessionStore())
    login(request, User.objects.get(username=req["username"]))
    request.session.save()
    return {"key": request.session.session_key}


def cmd_auth_logout(req):
    from django.contrib.auth import logout
    request = _request(SessionStore(session_key=req["key"]))
    request.user = None
    logout(request)
    return {"key": request.session.session_key}


def cmd_auth_get_user(req):
    from django.contrib.auth import get_user
    request = _request(SessionStore(session_key=req["key"]))
    user = get_user(request)
    return {"user": _user_json(user), "session_key": request.session.session_key,
            "entry": request.session.exists(req["key"])}


def _message_json(m):
    return {"level": m.level, "message": str(m.message), "extra_tags": m.extra_tags, "tags": m.tags}


def cmd_messages_add(req):
    from django.contrib.messages.storage.session import SessionStorage
    from django.http import HttpResponse
    request = _request(SessionStore(session_key=req.get("key")))
    storage = SessionStorage(request)
    for m in req["messages"]:
        storage.add(m["level"], m["message"], m.get("extra_tags", ""))
    storage.update(HttpResponse())
    request.session.save()
    return {"key": request.session.session_key}


def cmd_messages_read(req):
    from django.contrib.messages.storage.session import SessionStorage
    from django.http import HttpResponse
    request = _request(SessionStore(session_key=req["key"]))
    storage = SessionStorage(request)
    out = [_message_json(m) for m in storage]
    storage.update(HttpResponse())
    request.session.save()
    return {"messages": out, "left": request.session.get(storage.session_key)}


def main():
    cmd = sys.argv[1]
    req = json.load(sys.stdin)
    json.dump(globals()["cmd_" + cmd](req), sys.stdout)


if __name__ == "__main__":
    main()
