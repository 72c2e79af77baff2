"""Production settings for the HTTP benchmark on 127.0.0.1, where there is no TLS: the
session and CSRF cookies may travel over plain HTTP and nothing redirects to https.
Everything else (DEBUG off, middleware, CSP, hashers, WhiteNoise) is production's."""

from zhoucun_risk.settings.prod import *  # noqa: F403

SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
