"""The Django half of the cached_db interop test: a Django site whose
sessions are SESSION_ENGINE = "django.contrib.sessions.backends.cached_db",
cached by django-redis (cached_db_settings). Usage as django_side.py's.

Every command is one request of the site: it loads the session the way the
session and authentication middlewares do, through the cache first.
"""
import json
import sys

import django_side  # noqa: F401 (django.setup())
from django.contrib.auth import get_user, login  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends import cached_db  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.conf import settings  # noqa: E402


def _cached(key):
    """Whether the site's cache holds the session's entry."""
    return caches[settings.SESSION_CACHE_ALIAS].get(cached_db.KEY_PREFIX + key) is not None


def cmd_login(req):
    """login() of req["username"] on a new session, saved (table and cache)."""
    request = django_side._request(cached_db.SessionStore())
    login(request, User.objects.get(username=req["username"]))
    request.session.save()
    key = request.session.session_key
    return {"key": key, "cached": _cached(key)}


def cmd_save(req):
    """A new anonymous session holding req["json"], saved (table and cache)."""
    s = cached_db.SessionStore()
    django_side.fill(s, req["json"])
    s.save()
    return {"key": s.session_key, "cached": _cached(s.session_key)}


def cmd_load(req):
    """The data of the session req["key"] as a view reads it (request.session),
    and whether the cache held the session beforehand."""
    cached = _cached(req["key"])
    s = cached_db.SessionStore(session_key=req["key"])
    return {"json": json.dumps(dict(s.items())), "cached_before": cached}


def cmd_get_user(req):
    """get_user() of the request with session cookie req["key"]: the user
    (None for AnonymousUser), whether the cache held the session beforehand,
    the key afterwards (None once flushed) and whether the row is there."""
    cached = _cached(req["key"])
    request = django_side._request(cached_db.SessionStore(session_key=req["key"]))
    user = get_user(request)
    row = Session.objects.filter(session_key=req["key"]).exists()
    return {"user": django_side._user_json(user), "cached_before": cached,
            "session_key": request.session.session_key, "row": row}


if __name__ == "__main__":
    json.dump(globals()["cmd_" + sys.argv[1]](json.load(sys.stdin)), sys.stdout)
