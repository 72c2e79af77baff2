"""Development: DEBUG on, a generated secret key kept in var/ (never in git)."""

import secrets

from .base import *  # noqa: F403
from .base import (
    MIDDLEWARE,
    SECRET_KEY,
    STORAGES,
    VAR_DIR,
    ZHOUCUN_SIGNING_P12,
    ZHOUCUN_TRUST_ROOTS,
    ZHOUCUN_TSA_URL,
)
from .env import env_str

DEBUG = True
# The product's own 404 and 500 pages also in development (Django's debug pages otherwise);
# tracebacks still go to the console.
MIDDLEWARE = [*MIDDLEWARE, "assessments.web.middleware.ProductErrorPagesMiddleware"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def _dev_secret_key() -> str:
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if not SECRET_KEY:
    SECRET_KEY = _dev_secret_key()

# The local development CA made by `manage.py create_dev_ca` (make run does it), unless a
# real certificate is configured.
DEV_PKI = VAR_DIR / "pki"
if not ZHOUCUN_SIGNING_P12:
    ZHOUCUN_SIGNING_P12 = str(DEV_PKI / "signer.p12")
    password_file = DEV_PKI / "signer.pass"
    ZHOUCUN_SIGNING_P12_PASSWORD = password_file.read_text() if password_file.exists() else ""
if not ZHOUCUN_TRUST_ROOTS:
    ZHOUCUN_TRUST_ROOTS = str(DEV_PKI / "root.pem")
# The development CA's own TSA (`manage.py run_dev_pki`, started by make run).
DEV_PKI_URL = "http://127.0.0.1:8765"
if not ZHOUCUN_TSA_URL:
    ZHOUCUN_TSA_URL = f"{DEV_PKI_URL}/tsa"

# Notification e-mails are printed by runserver and the worker unless a backend is set.
if not env_str("ZHOUCUN_MAIL_BACKEND", ""):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Serve static files straight from static/ (no collectstatic needed).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
