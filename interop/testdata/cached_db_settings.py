"""interop_settings with a cache for Django's cached_db session engine:
django-redis on the test's Redis, with the test's own KEY_PREFIX.

  GINSESSION_REDIS_URL         the cache's LOCATION, redis://host:port/db
  GINSESSION_CACHE_KEY_PREFIX  the cache's KEY_PREFIX
"""
import os

from interop_settings import *  # noqa: F401,F403

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["GINSESSION_REDIS_URL"],
        "KEY_PREFIX": os.environ["GINSESSION_CACHE_KEY_PREFIX"],
    }
}
