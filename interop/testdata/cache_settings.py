"""Django settings for the interop tests of the cache session engine
(stores/djangocache): interop_settings, with sessions in Redis through
django-redis. The Go test sets:

  GINSESSION_REDIS_URL           LOCATION, redis://127.0.0.1:6379/0 by default
  GINSESSION_CACHE_KEY_PREFIX    the cache's KEY_PREFIX (the test's own)
  GINSESSION_CACHE_VERSION       its VERSION
  GINSESSION_CACHE_FORMAT        "pickle" (django-redis's default), "zlib"
                                 (with its ZlibCompressor) or "json" (its
                                 JSONSerializer)
"""
import os

from interop_settings import *  # noqa: F401,F403

SESSION_ENGINE = "django.contrib.sessions.backends.cache"

_options = {"CLIENT_CLASS": "django_redis.client.DefaultClient"}
_format = os.environ.get("GINSESSION_CACHE_FORMAT", "pickle")
if _format == "zlib":
    _options["COMPRESSOR"] = "django_redis.compressors.zlib.ZlibCompressor"
elif _format == "json":
    _options["SERIALIZER"] = "django_redis.serializers.json.JSONSerializer"
elif _format != "pickle":
    raise SystemExit("GINSESSION_CACHE_FORMAT %r" % _format)

CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ.get("GINSESSION_REDIS_URL", "redis://127.0.0.1:6379/0"),
        "KEY_PREFIX": os.environ["GINSESSION_CACHE_KEY_PREFIX"],
        "VERSION": int(os.environ.get("GINSESSION_CACHE_VERSION", "1")),
        "OPTIONS": _options,
    }
}
