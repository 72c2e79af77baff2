"""Tests: DEBUG off as in production, fast hashing, a throwaway key per run."""

import secrets

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = secrets.token_urlsafe(50)
# Fast hashing for speed; tests/test_hashers.py uses the production hashers.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"},
}
# The suite uploads many files from one address; tests/test_verify_limits.py sets its own.
ZHOUCUN_VERIFY_RATE_PER_MINUTE = 10_000
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

# The PostgreSQL service is shared: test databases get a name of their own.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_zhoucun_risk_{secrets.token_hex(4)}"}

# Serve static files straight from static/ (no collectstatic needed).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
