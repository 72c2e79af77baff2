"""`/healthz`: is this installation able to do its work? For a load balancer and monitoring.

Checks the database, the default file storage (a tiny write, read and delete), the task
queue (how many tasks wait and how long the oldest ready one has waited), the issuing
workers' heartbeats and, when reports are signed with timestamps, the timestamp authority.
Answers 200 when all is well, 503 naming the failing parts otherwise.
It needs no login and shows only part names and numbers: no host names, versions or error
text (those go to the log).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Min, Q
from django.http import HttpRequest, JsonResponse
from django.tasks import task_backends
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from ..models import WorkerHeartbeat
from ..reports import sign

logger = logging.getLogger(__name__)

PROBE_CONTENT = b"ok"


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_storage() -> dict:
    # A unique name per probe: several web servers may share one storage.
    name = default_storage.save(f"healthz-{secrets.token_hex(8)}.probe", ContentFile(PROBE_CONTENT))
    try:
        with default_storage.open(name) as probe:
            readable = probe.read() == PROBE_CONTENT
    finally:
        default_storage.delete(name)
    return {"ok": readable}


def _uses_worker() -> bool:
    return isinstance(task_backends["default"], DatabaseBackend)


def check_queue(now) -> dict:
    ready = DBTaskResult.objects.ready()
    # A task is ready from its run_after, or from when it was queued if it had none.
    oldest = ready.aggregate(
        queued=Min("enqueued_at", filter=Q(run_after=get_date_max())),
        deferred=Min("run_after", filter=~Q(run_after=get_date_max())),
    )
    since = min((t for t in oldest.values() if t is not None), default=None)
    wait = max(0.0, (now - since).total_seconds()) if since is not None else 0.0
    return {
        "ok": wait <= settings.ZHOUCUN_QUEUE_MAX_WAIT_SECONDS,
        "ready": ready.count(),
        "oldest_ready_seconds": round(wait, 1),
    }


def check_workers(now) -> dict:
    silent_after = timedelta(seconds=settings.ZHOUCUN_WORKER_SILENT_SECONDS)
    beats = list(WorkerHeartbeat.objects.values_list("beat_at", "task_started_at"))
    alive = [
        beat_at
        for beat_at, task_started_at in beats
        # A worker busy with one task for ten times the silence limit is stuck, not alive.
        if now - beat_at <= silent_after
        and (task_started_at is None or now - task_started_at <= 10 * silent_after)
    ]
    last = max((beat_at for beat_at, _ in beats), default=None)
    return {
        "ok": bool(alive),
        "alive": len(alive),
        "last_beat_seconds": round((now - last).total_seconds(), 1) if last else None,
    }


TSA_PROBE_TIMEOUT_SECONDS = 3
# /healthz needs no login: each process asks the TSA at most once a minute, whoever polls.
TSA_PROBE_CACHE_SECONDS = 60
_tsa_lock = threading.Lock()
_tsa_answers: dict[str, tuple[float, bool]] = {}


def check_tsa() -> dict:
    """Does the timestamp authority give a timestamp? A real request for the hash of a
    random value (an answer that is not a granted timestamp is a failure too), made at most
    once per TSA_PROBE_CACHE_SECONDS per process and TSA address; meanwhile the last answer
    is repeated, with its age."""
    url = settings.ZHOUCUN_TSA_URL
    with _tsa_lock:
        now = time.monotonic()
        asked = _tsa_answers.get(url)
        if asked is None or now - asked[0] >= TSA_PROBE_CACHE_SECONDS:
            try:
                sign.probe_tsa(
                    hashlib.sha256(secrets.token_bytes(16)).digest(),
                    timeout=TSA_PROBE_TIMEOUT_SECONDS,
                )
                asked = (now, True)
            except sign.TimestampUnavailable as error:
                logger.warning("Health check tsa failed: %s", error)
                asked = (now, False)
            _tsa_answers[url] = asked
    return {"ok": asked[1], "age_seconds": round(now - asked[0], 1)}


def _run(name: str, check, *args) -> dict:
    started = time.monotonic()
    try:
        result = check(*args)
    except Exception:
        # Any error is this part failing (a storage backend raises its own kinds); the
        # details go to the log only, as the answer is public.
        logger.exception("Health check %s failed", name)
        result = {"ok": False}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    checks = {
        "database": _run("database", check_database),
        "storage": _run("storage", check_storage),
    }
    if settings.ZHOUCUN_SIGNATURE_LEVEL != "B-B":
        # Issuing needs the TSA: while it is down, reports wait and are retried.
        checks["tsa"] = _run("tsa", check_tsa) if settings.ZHOUCUN_TSA_URL else {"ok": False}
    if checks["database"]["ok"]:
        checks["queue"] = _run("queue", check_queue, now)
        if _uses_worker():
            checks["worker"] = _run("worker", check_workers, now)
    failing = [name for name, result in checks.items() if not result["ok"]]
    return JsonResponse(
        {"status": "fail" if failing else "ok", "failing": failing, "checks": checks},
        status=503 if failing else 200,
    )
