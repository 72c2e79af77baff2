"""Tests: DEBUG off as in production, fast hashing, a throwaway key per run."""

import os
import secrets

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
# Processes started by one test (servers, workers) must share one key to share sessions.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50)
# Fast hashing for speed; tests/test_hashers.py uses the production hashers.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}
# The suite uploads many files from one address; tests/test_verify_limits.py sets its own.
ZHOUCUN_VERIFY_RATE_PER_MINUTE = 10_000
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]

# The PostgreSQL service is shared: test databases get a name of their own.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["TEST"] = {"NAME": f"test_zhoucun_risk_{secrets.token_hex(4)}"}
    # Django empties the database between transactional tests with TRUNCATE, which the
    # append-only tables refuse unless the session allows it (migration 0005). Only the
    # test settings allow it, for their own connections.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c zhoucun.allow_truncate=on".strip()

# Mail stays in memory (django.core.mail.outbox), as Django's test runner sets it too.
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

# Serve static files straight from static/ (no collectstatic needed).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Issue inside the request, so a test sees the issued report at once; the worker tests (and
# the worker processes they start, which set ZHOUCUN_TASKS_BACKEND) use the database queue.
if "ZHOUCUN_TASKS_BACKEND" not in os.environ:
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
