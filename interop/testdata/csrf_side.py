"""The Django half of the csrf interop tests: Django's CsrfViewMiddleware
behind its SessionMiddleware, driven by django.test.Client.

Usage: csrf_side.py COMMAND, with a JSON request on stdin, as django_side.py
(same environment and settings module). The request's "use_sessions" is
CSRF_USE_SESSIONS; "session_key" and "csrftoken" are the cookies the client
sends (when not null).
"""
import json
import logging
import re
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import RequestContext, Template  # noqa: E402
from django.urls import path  # noqa: E402

settings.ALLOWED_HOSTS = ["testserver"]
settings.ROOT_URLCONF = "__main__"
settings.MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
settings.TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates"}]


def form(request):
    """GET: a page with {% csrf_token %}; POST (reached only past the
    middleware): "ok"."""
    if request.method == "POST":
        return HttpResponse("ok")
    page = Template('<form method="post">{% csrf_token %}</form>')
    return HttpResponse(page.render(RequestContext(request)))


urlpatterns = [path("form/", form)]


class Reasons(logging.Handler):
    """Collects what django.security.csrf logs."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def client(req):
    from django.test import Client
    settings.CSRF_USE_SESSIONS = req["use_sessions"]
    c = Client(enforce_csrf_checks=True)
    if req.get("session_key"):
        c.cookies[settings.SESSION_COOKIE_NAME] = req["session_key"]
    if req.get("csrftoken") is not None:
        c.cookies[settings.CSRF_COOKIE_NAME] = req["csrftoken"]
    return c


def cookies(resp):
    out = {}
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        if name in resp.cookies:
            out[name] = resp.cookies[name].value
    return out


def stored(session_key):
    """What the session row holds under _csrftoken."""
    if not session_key:
        return None
    from django.contrib.sessions.backends.db import SessionStore
    return SessionStore(session_key=session_key).get("_csrftoken")


def cmd_csrf_get(req):
    """GET /form/: the page's token, the cookies set, the session's value."""
    resp = client(req).get("/form/")
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', resp.content.decode())
    set_ = cookies(resp)
    key = set_.get(settings.SESSION_COOKIE_NAME, req.get("session_key"))
    return {"status": resp.status_code, "token": m.group(1) if m else None, "cookies": set_,
            "stored": stored(key)}


def cmd_csrf_post(req):
    """POST /form/ with the token in the form field (or, with "header", in
    X-CSRFToken): the status and the reasons Django logged."""
    reasons = Reasons()
    logging.getLogger("django.security.csrf").addHandler(reasons)
    c = client(req)
    if req.get("header"):
        resp = c.post("/form/", {"name": "value"}, HTTP_X_CSRFTOKEN=req["token"])
    else:
        resp = c.post("/form/", {"csrfmiddlewaretoken": req["token"], "name": "value"})
    return {"status": resp.status_code, "reasons": reasons.messages}


def main():
    cmd = sys.argv[1]
    req = json.load(sys.stdin)
    json.dump(globals()["cmd_" + cmd](req), sys.stdout)


if __name__ == "__main__":
    main()
