"""Settings shared by every environment. All environment variables are read here."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_header, env_int, env_list, env_networks, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("ZHOUCUN_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# A refused form post is audited and answered with the product's own 403 page.
CSRF_FAILURE_VIEW = "assessments.web.errors.csrf_failure"

INSTALLED_APPS = [
    "assessments.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    # The task queue lives in the database (django-tasks-db): workers on any machine that
    # reaches the same DATABASE_URL take tasks from it.
    "django_tasks_db",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "assessments.web.middleware.IdleDeadlineMiddleware",
    # Only with a replica configured: notes the user's last write (read-your-writes).
    "assessments.common.replica.RecordWritesMiddleware",
    "assessments.web.middleware.DefaultChineseLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Private by default: every view needs a login unless marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After authentication: it needs to know whether the response is a private one.
    "assessments.web.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A temporary password (new account, reset) must be replaced before anything else.
    "assessments.web.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhoucun_risk.urls"
WSGI_APPLICATION = "zhoucun_risk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessments.web.context_processors.navigation",
            ],
        },
    },
]

# SQLite file by default; PostgreSQL (or anything dj-database-url knows) from DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
# A PostgreSQL streaming replica, if there is one: the lists, search, exports and the
# dashboard read from it; everything else, and every write, uses the primary. A user who
# wrote within ZHOUCUN_REPLICA_STICKY_SECONDS reads from the primary (read-your-writes);
# keep it well above the replica's lag (docs/operations.md).
ZHOUCUN_REPLICA_URL = env_str("ZHOUCUN_REPLICA_URL", "")
ZHOUCUN_REPLICA_STICKY_SECONDS = env_int("ZHOUCUN_REPLICA_STICKY_SECONDS", 10, minimum=0)
if ZHOUCUN_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("ZHOUCUN_REPLICA_URL needs DATABASE_URL (the primary).")
    DATABASES["replica"] = {
        **dj_database_url.parse(ZHOUCUN_REPLICA_URL, conn_max_age=60),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["assessments.common.replica.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id at OWASP's parameters first; PBKDF2 (Django's former default) stays so existing
# hashes still verify, and each is rehashed with Argon2id at the user's next login.
PASSWORD_HASHERS = [
    "zhoucun_risk.hashers.OwaspArgon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out usernames before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, whose per-request read of the user also counts their unread
    # notifications (for the navigation) in the same query.
    "assessments.web.backends.UserBackend",
]

# 等保 2.0 level-2 practice: ≥ 8 characters from at least three character classes.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "zhoucun_risk.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": 3},
    },
]

# The client's address, for the audit log and the login lockout
# (assessments.common.addresses.client_ip).
# Behind a reverse proxy, list the proxies here: only a request whose REMOTE_ADDR is one of
# them has its client address taken from the header; anyone else could forge the header.
ZHOUCUN_TRUSTED_PROXIES = env_networks("ZHOUCUN_TRUSTED_PROXIES")
ZHOUCUN_CLIENT_IP_HEADER = env_header("ZHOUCUN_CLIENT_IP_HEADER", "X-Forwarded-For")

# Login lockout (django-axes, see assessments/lockout.py). A username is locked at one
# address after 5 failures there, for 15 minutes: a stranger elsewhere cannot lock the real
# user out. Guessing across usernames is stopped by a separate, higher per-address limit,
# high because a bureau's staff share one NAT address.
AXES_FAILURE_LIMIT = env_int("ZHOUCUN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
ZHOUCUN_ADDRESS_FAILURE_LIMIT = env_int("ZHOUCUN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ZHOUCUN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "assessments.services.lockout.AddressLimitDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "assessments.common.addresses.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Signed reports and evidence files (see docs/storage.md): each written once under its
# SHA-256 into a storage alias of its own — directories under var/ by default, or one
# S3-compatible bucket (two key prefixes) when several application servers share them.
ZHOUCUN_REPORTS_BACKEND = env_str("ZHOUCUN_REPORTS_BACKEND", "filesystem")
ZHOUCUN_ATTACHMENTS_BACKEND = env_str("ZHOUCUN_ATTACHMENTS_BACKEND", ZHOUCUN_REPORTS_BACKEND)


def _s3_storage(prefix: str) -> dict:
    # django-storages (requirements.txt); the credentials are read by boto3 from
    # AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role), not from here.
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("ZHOUCUN_S3_BUCKET"),
            "endpoint_url": env_str("ZHOUCUN_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("ZHOUCUN_S3_REGION", "") or None,
            "location": prefix,
            "default_acl": "private",
            "querystring_auth": True,
            # Written once: an existing name is never replaced (the storage picks another
            # name, which `store_report` deletes again and evidence storing refuses).
            "file_overwrite": False,
        },
    }


def _stored_files(alias: str, backend: str, filesystem: dict, prefix: str) -> dict:
    if backend == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": filesystem}
    if backend == "s3":
        return _s3_storage(prefix)
    raise ImproperlyConfigured(
        f"ZHOUCUN_{alias.upper()}_BACKEND must be 'filesystem' or 's3', got {backend!r}"
    )


REPORTS_STORAGE = _stored_files(
    "reports",
    ZHOUCUN_REPORTS_BACKEND,
    {
        "location": env_str("ZHOUCUN_REPORTS_ROOT", str(VAR_DIR / "reports")),
        "file_permissions_mode": 0o640,
        "directory_permissions_mode": 0o750,
    },
    env_str("ZHOUCUN_S3_PREFIX", "reports"),
)
# Evidence files are named "attachments/<aa>/<sha256>" inside their storage.
ATTACHMENTS_STORAGE = _stored_files(
    "attachments",
    ZHOUCUN_ATTACHMENTS_BACKEND,
    {"location": Path(env_str("ZHOUCUN_ATTACHMENTS_DIR", str(VAR_DIR / "attachments")))},
    env_str("ZHOUCUN_S3_ATTACHMENTS_PREFIX", "evidence"),
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "reports": REPORTS_STORAGE,
    "attachments": ATTACHMENTS_STORAGE,
}
# The largest evidence file accepted (PDF, JPEG or PNG).
ZHOUCUN_ATTACHMENT_MAX_BYTES = env_int("ZHOUCUN_ATTACHMENT_MAX_MB", 10, minimum=1) * 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Idle timeout: the session lives this long after the last request. The deadline is pushed
# ahead by a write at most once per ZHOUCUN_SESSION_REFRESH_SECONDS (IdleDeadlineMiddleware),
# not on every request: a session then ends between 30 minutes less that interval and 30
# minutes after the last request, and reading a page costs no session write.
SESSION_COOKIE_AGE = env_int("ZHOUCUN_SESSION_IDLE_MINUTES", 30) * 60
ZHOUCUN_SESSION_REFRESH_SECONDS = env_int("ZHOUCUN_SESSION_REFRESH_SECONDS", 60, minimum=1)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy, enforced: only our own scripts and styles, no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Tasks (django.tasks): issuing runs in a worker (`manage.py worker`) that takes tasks from
# a queue in the database. ZHOUCUN_TASKS_BACKEND=django.tasks.backends.immediate.ImmediateBackend
# issues inside the approving request instead (no worker needed; slow approvals).
TASKS = {
    "default": {
        "BACKEND": env_str("ZHOUCUN_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}


def _seconds_list(name: str, default: list[str]) -> list[int]:
    values = env_list(name, default)
    if not all(value.isdigit() for value in values):
        raise ImproperlyConfigured(f"{name} must be whole seconds separated by commas: {values}")
    return [int(value) for value in values]


# A failed issue is tried again after these delays (seconds), then left for a person.
ZHOUCUN_ISSUE_RETRY_DELAYS = _seconds_list("ZHOUCUN_ISSUE_RETRY_DELAYS", ["5", "30", "120"])
# Each worker records a heartbeat this often; /healthz calls the workers silent when none
# has beaten for ZHOUCUN_WORKER_SILENT_SECONDS, and the queue stuck when a ready task has
# waited longer than ZHOUCUN_QUEUE_MAX_WAIT_SECONDS.
ZHOUCUN_WORKER_HEARTBEAT_SECONDS = env_int("ZHOUCUN_WORKER_HEARTBEAT_SECONDS", 5)
ZHOUCUN_WORKER_SILENT_SECONDS = env_int("ZHOUCUN_WORKER_SILENT_SECONDS", 60)
ZHOUCUN_QUEUE_MAX_WAIT_SECONDS = env_int("ZHOUCUN_QUEUE_MAX_WAIT_SECONDS", 300)
# A running task holds a lease of ZHOUCUN_TASK_LEASE_SECONDS, renewed by its worker's
# heartbeat; a task whose lease expired (its worker was killed) is queued again by the other
# workers' watchdog, at most ZHOUCUN_TASK_MAX_CLAIMS times in all, then marked failed.
ZHOUCUN_TASK_LEASE_SECONDS = env_int("ZHOUCUN_TASK_LEASE_SECONDS", 60)
ZHOUCUN_TASK_MAX_CLAIMS = env_int("ZHOUCUN_TASK_MAX_CLAIMS", 3)
if ZHOUCUN_TASK_LEASE_SECONDS < 2 * ZHOUCUN_WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "ZHOUCUN_TASK_LEASE_SECONDS must be at least twice ZHOUCUN_WORKER_HEARTBEAT_SECONDS: "
        "a lease renewed at every heartbeat must not expire between two of them."
    )
if ZHOUCUN_TASK_MAX_CLAIMS < 1:
    raise ImproperlyConfigured("ZHOUCUN_TASK_MAX_CLAIMS must be at least 1.")
# Reminders (`manage.py daily_reminders`, and each worker once a day after
# ZHOUCUN_REMINDERS_HOUR local time): "due soon" this many days before a due date.
ZHOUCUN_REMINDER_DAYS = env_int("ZHOUCUN_REMINDER_DAYS", 3, minimum=0)
ZHOUCUN_REMINDERS_HOUR = env_int("ZHOUCUN_REMINDERS_HOUR", 7, minimum=0)
if ZHOUCUN_REMINDERS_HOUR > 23:
    raise ImproperlyConfigured("ZHOUCUN_REMINDERS_HOUR must be an hour from 0 to 23.")

# E-mail (notifications), through Django's mailers: SMTP by default; development prints to
# the console, the tests keep mail in memory (django.core.mail.outbox).
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
ZHOUCUN_MAIL_BACKEND = env_str("ZHOUCUN_MAIL_BACKEND", SMTP_BACKEND)
MAILERS = {
    "default": {
        "BACKEND": ZHOUCUN_MAIL_BACKEND,
        "OPTIONS": (
            {
                "host": env_str("ZHOUCUN_SMTP_HOST", "localhost"),
                "port": env_int("ZHOUCUN_SMTP_PORT", 25, minimum=1),
                "username": env_str("ZHOUCUN_SMTP_USER", ""),
                "password": env_str("ZHOUCUN_SMTP_PASSWORD", ""),
                "use_tls": env_bool("ZHOUCUN_SMTP_STARTTLS", False),
                "use_ssl": env_bool("ZHOUCUN_SMTP_SSL", False),
                "timeout": env_int("ZHOUCUN_SMTP_TIMEOUT_SECONDS", 10, minimum=1),
            }
            if ZHOUCUN_MAIL_BACKEND == SMTP_BACKEND
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("ZHOUCUN_MAIL_FROM", "wenping@localhost")

# A load balancer probes /healthz over plain HTTP: never redirect it to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Signing and verification of issued reports (see docs/reports.md).
ZHOUCUN_SIGNING_P12 = env_str("ZHOUCUN_SIGNING_P12", "")
ZHOUCUN_SIGNING_P12_PASSWORD = env_str("ZHOUCUN_SIGNING_P12_PASSWORD", "")
ZHOUCUN_TRUST_ROOTS = env_str("ZHOUCUN_TRUST_ROOTS", "")
# Long-term signatures: "B-LTA" (timestamped by the RFC 3161 TSA at ZHOUCUN_TSA_URL, with
# the validation data embedded) or, only when set explicitly, "B-B" (no timestamp).
ZHOUCUN_SIGNATURE_LEVEL = env_str("ZHOUCUN_SIGNATURE_LEVEL", "B-LTA")
ZHOUCUN_TSA_URL = env_str("ZHOUCUN_TSA_URL", "")
# The address printed in the QR code and the report's verification link.
ZHOUCUN_PUBLIC_URL = env_str("ZHOUCUN_PUBLIC_URL", "http://127.0.0.1:8000")
# Uploads on the public verification page are read in memory, never stored.
ZHOUCUN_VERIFY_UPLOAD_MAX_BYTES = env_int("ZHOUCUN_VERIFY_UPLOAD_MAX_MB", 20) * 1024 * 1024
# An upload must look like a PDF (it starts with %PDF- and ends with %%EOF) before it is
# parsed; parsing runs in a child process bounded in time and memory, at most
# ZHOUCUN_VERIFY_CONCURRENCY at once on this machine (the others are asked to retry), and
# each address may upload ZHOUCUN_VERIFY_RATE_PER_MINUTE files a minute.
ZHOUCUN_VERIFY_TIMEOUT_SECONDS = env_int("ZHOUCUN_VERIFY_TIMEOUT_SECONDS", 5)
ZHOUCUN_VERIFY_MEMORY_MB = env_int("ZHOUCUN_VERIFY_MEMORY_MB", 512)
ZHOUCUN_VERIFY_CONCURRENCY = env_int("ZHOUCUN_VERIFY_CONCURRENCY", 2)
ZHOUCUN_VERIFY_RATE_PER_MINUTE = env_int("ZHOUCUN_VERIFY_RATE_PER_MINUTE", 10)
ZHOUCUN_VERIFY_SLOTS_DIR = env_str("ZHOUCUN_VERIFY_SLOTS_DIR", str(VAR_DIR / "verify-slots"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# The per-address upload counter is a row in the database (RateCount), so every process on
# every machine counts against the same limit.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
FILE_UPLOAD_MAX_MEMORY_SIZE = ZHOUCUN_VERIFY_UPLOAD_MAX_BYTES + 1

# Refusals (403, 400) are logged in one line, never a traceback; only 500s carry one
# (zhoucun_risk/logging.py). The filter sits on django.request and django.security.csrf, so
# every handler sees the short record, and on the console handler, which also catches the
# django.security.<ExceptionName> loggers (a logger's filter never sees its children's records).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"expected_refusal": {"()": "zhoucun_risk.logging.ExpectedRefusalFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["expected_refusal"]},
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["expected_refusal"]},
        "django.security.csrf": {"filters": ["expected_refusal"]},
        # Failed logins are in the audit log; axes need not narrate each one.
        "axes": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # pyHanko narrates every OCSP and CRL fetch of a B-LTA signature at INFO; a failure
        # reaches the issue's failure record and the log as a warning or error.
        "pyhanko": {"level": "WARNING"},
        "pyhanko_certvalidator": {"level": "WARNING"},
        # The worker's own lines (one per task state), written once, not again by "django".
        "django.tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}


def require_secret_key(secret_key: str) -> str:
    if not secret_key:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DEBUG is off (see docs/configuration.md)."
        )
    return secret_key
