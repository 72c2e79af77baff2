"""Reads from a PostgreSQL replica for the heavy read-only pages, everything else on the
primary (docs/operations.md, "Several machines").

Nothing here is active unless the settings define a database alias `replica`
(`ZHOUCUN_REPLICA_URL`). Then:

- `PrimaryReplicaRouter` sends every write, every migration and every read to `default`,
  except the reads made while `reading_from_replica` is set;
- `reads_from_replica` sets it around a view (lists, search, exports, the dashboard) for a
  GET, including the iteration of a streamed response — unless the user wrote something
  less than ZHOUCUN_REPLICA_STICKY_SECONDS ago (read-your-writes: the replica may lag);
- `RecordWritesMiddleware` notes in the session (which lives on the primary) when the user
  last wrote: any successful non-GET request.

The flag is a context variable, so the threads of one gunicorn worker never share it.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS

REPLICA = "replica"
WROTE_SESSION_KEY = "_zhoucun_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reading = ContextVar("zhoucun_reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reading_from_replica() -> bool:
    return _reading.get()


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _reading.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _wrote_recently(request) -> bool:
    session = getattr(request, "session", None)
    wrote = session.get(WROTE_SESSION_KEY) if session is not None else None
    return isinstance(wrote, int) and time.time() - wrote < settings.ZHOUCUN_REPLICA_STICKY_SECONDS


def _streamed_on_replica(content):
    _reading.set(True)
    try:
        yield from content
    finally:
        _reading.set(False)


def reads_from_replica(view):
    """Let `view`'s reads go to the replica, when there is one and the user has not just
    written. Its writes (a session touched, an audit row) still go to the primary."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if (
            request.method not in SAFE_METHODS
            or not replica_configured()
            or _wrote_recently(request)
        ):
            return view(request, *args, **kwargs)
        token = _reading.set(True)
        try:
            response = view(request, *args, **kwargs)
        finally:
            _reading.reset(token)
        if getattr(response, "streaming", False):
            response.streaming_content = _streamed_on_replica(response.streaming_content)
        return response

    return wrapped


class RecordWritesMiddleware:
    """Notes the time of the user's last successful write in their session, so that
    `reads_from_replica` reads from the primary for a while after it."""

    def __init__(self, get_response):
        if not replica_configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if (
            request.method not in SAFE_METHODS
            and response.status_code < 400
            and session is not None
        ):
            session[WROTE_SESSION_KEY] = int(time.time())
        return response
