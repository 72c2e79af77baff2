"""The child side of `verify_bounds.verify_in_child`: one uploaded file checked by pyHanko in
a process of its own, bounded in memory, answering with a small JSON document.

The children are forked by multiprocessing's forkserver — a clean, single-threaded process
that imported Django and pyHanko once (this module is its preload) — never by the threaded
web worker itself, whose other threads may hold locks a forked child would inherit.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
from dataclasses import asdict

import django
from django.apps import apps

if not (apps.ready or apps.loading):  # in the forkserver: set up once, from the environment
    django.setup()

from asn1crypto import x509 as asn1_x509
from django.utils import translation

from . import verify  # noqa: F401 - imported here so that every child has it warm


def ready() -> None:
    """Nothing: a child that shows the forkserver is up (`verify_bounds.start_forkserver`)."""


def serve_one(check: str, data: bytes, roots_der, answer, memory: int, language: str) -> None:
    """Run `check` ("module:function", called as `check(data, roots=…)`) on `data` and send
    the outcome on the `answer` connection: ok with the verdict, memory, or error."""
    try:
        _limit_memory(memory)
        os.nice(10)  # staff pages come first when both cores are busy
        module, name = check.split(":")
        function = getattr(importlib.import_module(module), name)
        roots = None if roots_der is None else [asn1_x509.Certificate.load(d) for d in roots_der]
        with translation.override(language):
            try:
                verdict = function(data, roots=roots)
                fields = asdict(verdict)
                for moment in ("signing_time", "timestamp", "validated_at"):
                    if fields[moment] is not None:
                        fields[moment] = fields[moment].isoformat()
                payload = {"outcome": "ok", "verdict": fields}
            except MemoryError:
                payload = {"outcome": "memory"}
            except BaseException as exc:  # noqa: BLE001 — reported to the parent, by class name
                payload = {"outcome": "error", "error": exc.__class__.__name__}
        answer.send_bytes(json.dumps(payload).encode())
    finally:
        answer.close()


def _limit_memory(extra: int) -> None:
    """Cap the address space at what the process already maps plus `extra`."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
