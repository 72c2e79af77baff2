"""Production: DEBUG off, a real secret key required, HTTPS-only cookies and HSTS."""

from .base import *  # noqa: F403
from .base import DEBUG, SECRET_KEY, ZHOUCUN_SIGNATURE_LEVEL, require_secret_key
from .env import env_bool, env_int, env_required

SECRET_KEY = require_secret_key(SECRET_KEY) if not DEBUG else SECRET_KEY

# Issued reports are signed and carry a link that is never regenerated: production must
# name its certificate, its trust roots and its public address, not fall back to defaults.
ZHOUCUN_SIGNING_P12 = env_required("ZHOUCUN_SIGNING_P12")
ZHOUCUN_TRUST_ROOTS = env_required("ZHOUCUN_TRUST_ROOTS")
ZHOUCUN_PUBLIC_URL = env_required("ZHOUCUN_PUBLIC_URL")
# Long-term signatures need a timestamp authority; only an explicit B-B signs without one.
if ZHOUCUN_SIGNATURE_LEVEL != "B-B":
    ZHOUCUN_TSA_URL = env_required("ZHOUCUN_TSA_URL")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is for public sites: a bureau intranet host name must not go on browsers'
# public preload list, so the check that asks for it (security.W021) is silenced.
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
