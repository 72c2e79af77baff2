"""Production web server: `gunicorn -c gunicorn.conf.py` (see docs/operations.md).

Every value can be set from the environment (GUNICORN_*), so one file serves every machine.
Reports are issued by `manage.py worker`, not here; web workers still render previews and
check uploaded PDFs, which leave much garbage, so each is replaced after a number of
requests (with jitter, so they do not all restart at once). The application is loaded once,
in the master, and workers are forked from it: a replaced worker is serving in milliseconds
instead of re-importing Django and WeasyPrint, which made a slow request every thousand.
"""

import os


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be true or false, got {value!r}")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {value!r}") from exc


wsgi_app = "zhoucun_risk.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Threaded workers: each serves GUNICORN_THREADS requests at once, so a long export (a
# 600k-row unit streams for about a minute) neither blocks its worker nor is killed by the
# timeout, which watches the worker, not the request. Two per core is plenty for a bureau;
# set more with memory to spare (each web worker holds ~150 MB, shared with the master
# until written to).
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1))
threads = _int("GUNICORN_THREADS", 4)
preload_app = _bool("GUNICORN_PRELOAD", True)
# A request is killed after this long. The slowest legitimate pages (a long preview, the
# check of a 20 MB upload) take a few seconds.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On restart or SIGTERM, requests in flight get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle each web worker after 1000 ± 100 requests: WeasyPrint's garbage is bounded, and
# with the preloaded application a new worker costs a fork, not an import.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# The reverse proxy's addresses: only these may say the request came over HTTPS
# (X-Forwarded-Proto). With `GUNICORN_PROXY_PROTOCOL=v1` (HAProxy, nginx `proxy_protocol`)
# the client's address reaches REMOTE_ADDR, which the audit log records.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_protocol = os.environ.get("GUNICORN_PROXY_PROTOCOL", "off")
proxy_allow_ips = forwarded_allow_ips

# One line per request on stdout: client, time, request, status, bytes, milliseconds, agent.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# No runtime control socket (gunicornc): several servers may share one machine and home.
control_socket_disable = True


def when_ready(server) -> None:
    """In the master, before the first fork: import what the first request would (the URL
    configuration, every view, WeasyPrint), so no worker pays for it."""
    if not preload_app:
        return
    import weasyprint  # noqa: F401 - imported for its side effect: loaded once, shared
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module


def post_fork(server, worker) -> None:
    """A forked worker opens its own database connections (none should be inherited) and,
    while it has one thread, starts the server that forks the /verify/ checks."""
    from django.db import connections

    connections.close_all()
    if preload_app:
        from assessments.reports.verify_bounds import start_forkserver

        start_forkserver()
