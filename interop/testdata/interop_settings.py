"""Django settings for ginsession's interop tests.

Everything that varies per test comes from the environment, set by the Go
test that runs django_side.py:

  GINSESSION_SECRET_KEY            SECRET_KEY (the Go side uses the same)
  GINSESSION_SECRET_KEY_FALLBACKS  comma-separated SECRET_KEY_FALLBACKS (Django >= 4.1)
  GINSESSION_SESSION_ENGINE        SESSION_ENGINE
  GINSESSION_DB_ENGINE             "mysql" (default), "sqlite3" or "postgresql"
  GINSESSION_DB_NAME               MariaDB or PostgreSQL database, or SQLite file, for the db engine
  GINSESSION_DB_SCHEMA             PostgreSQL only: the schema Django works in (search_path)
"""
import os

SECRET_KEY = os.environ.get("GINSESSION_SECRET_KEY", "ginsession-interop-default-secret-key-0123456789")
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("GINSESSION_SECRET_KEY_FALLBACKS", "").split(",") if k]

# auth and contenttypes give the auth_* commands of django_side.py their
# tables; db_create migrates only the sessions app, auth_migrate the rest.
INSTALLED_APPS = ["django.contrib.sessions", "django.contrib.contenttypes", "django.contrib.auth"]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
USE_TZ = True
TIME_ZONE = "UTC"
SESSION_ENGINE = os.environ.get("GINSESSION_SESSION_ENGINE", "django.contrib.sessions.backends.db")
SESSION_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
DEFAULT_HASHING_ALGORITHM = "sha256"  # Django 3.1/3.2 only; ignored later
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# The messages tests' custom level and retagged level; the Go side sets the
# same with messages.WithLevelTags.
MESSAGE_TAGS = {35: "notice", 40: "danger"}

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql",
        "HOST": os.environ.get("GINSESSION_DB_HOST", "127.0.0.1"),
        "PORT": os.environ.get("GINSESSION_DB_PORT", "3306"),
        "USER": os.environ.get("GINSESSION_DB_USER", "root"),
        "PASSWORD": os.environ.get("GINSESSION_DB_PASSWORD", ""),
        "NAME": os.environ.get("GINSESSION_DB_NAME", "test"),
        "OPTIONS": {"charset": "utf8mb4"},
    }
}

if os.environ.get("GINSESSION_DB_ENGINE") == "sqlite3":
    # Django's default database: a file, here the test's temporary db.sqlite3.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["GINSESSION_DB_NAME"],
        }
    }

if os.environ.get("GINSESSION_DB_ENGINE") == "postgresql":
    # psycopg2 (Debian's python3-psycopg2); the schema keeps each test's
    # tables apart, since Django's table names are fixed.
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ.get("GINSESSION_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("GINSESSION_DB_PORT", "5432"),
            "USER": os.environ.get("GINSESSION_DB_USER", "postgres"),
            "PASSWORD": os.environ.get("GINSESSION_DB_PASSWORD", ""),
            "NAME": os.environ.get("GINSESSION_DB_NAME", "test"),
            "OPTIONS": {"options": "-c search_path=" + os.environ["GINSESSION_DB_SCHEMA"]},
        }
    }
