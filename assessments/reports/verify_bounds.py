"""Bounds on checking an uploaded PDF, so the public page cannot tie up the server.

Measured before these bounds: a 20 MB upload ending in one long line took pyHanko 7 s (it
reads backwards byte by byte looking for the end of file), and eight of them at once made the
staff's login page take 17 s. So, in order, each cheaper than the next:

1. `upload_allowed`: each address may upload so many files a minute (a counter row in the
   database, `RateCount`, shared by every process on every machine and raised atomically).
   Checked, like the size cap, before the body is read.
2. `verification_slot`: at most ZHOUCUN_VERIFY_CONCURRENCY uploads are handled at once on
   a machine — reading the body, parsing the form and checking the file (lock files, so
   every worker process counts against the same slots; a lock dies with its process).
   Without a free slot the upload is refused at once with "try again", never queued, so
   the other web workers stay free for staff pages.
3. `common.files.looks_like_pdf`: a PDF starts with ``%PDF-`` and ends with ``startxref … %%EOF``;
   anything else is refused before a parser sees it. `xref_offset_plausible`: that
   offset points at a cross-reference section, or the file is unreadable.
4. `verify_in_child`: pyHanko runs in a child process with a memory cap (RLIMIT_AS), at a
   lower CPU priority, killed after ZHOUCUN_VERIFY_TIMEOUT_SECONDS. The child is forked by
   a forkserver that loaded Django and pyHanko once (`verify_server`), never by the threaded
   web worker: forking costs milliseconds; a fresh interpreter with pyHanko ~0.9 s of CPU.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import logging
import multiprocessing
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils import translation

from ..common.files import PDF_TAIL_WINDOW
from ..models import RateCount
from . import verify, verify_server

logger = logging.getLogger(__name__)


_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF")
_OBJECT = re.compile(rb"\s*\d+\s+\d+\s+obj\b")


def xref_offset_plausible(data: bytes) -> bool:
    """Does the last ``startxref`` point at a cross-reference table or stream object?

    pyHanko reads what that offset points to first; when it points into junk, it hunted
    backwards through a 20 MB line for 6 s. Issued reports always point right.
    """
    found = list(_STARTXREF.finditer(data[-PDF_TAIL_WINDOW:]))
    if not found:
        return False
    offset = int(found[-1].group(1))
    if offset >= len(data):
        return False
    target = data[offset : offset + 64]
    return target.startswith(b"xref") or _OBJECT.match(target) is not None


# Addresses this process has seen over the limit, by minute. A minute's count only grows,
# so they are refused for the rest of it without writing to the database: a flood from one
# address costs each process one write, not one per request (on SQLite a write holds the
# database's only write lock, ~15 ms with its fsyncs). Refusals only: what is allowed is
# decided by the shared counter alone.
_refused: dict[int, set[str]] = {}


def upload_allowed(address: str | None) -> bool:
    """Count one upload for the address in this minute; False once over the limit."""
    key = f"verify-upload:{address or 'unknown'}"
    minute = int(time.time() // 60)
    if key in _refused.get(minute, ()):
        return False
    if RateCount.objects.hit(key, minute) <= settings.ZHOUCUN_VERIFY_RATE_PER_MINUTE:
        return True
    _refused.setdefault(minute, set()).add(key)
    for past in [seen for seen in list(_refused) if seen != minute]:
        _refused.pop(past, None)
    return False


def forget_refusals() -> None:
    """Forget this process's refused addresses (the tests, between two of them)."""
    _refused.clear()


@contextlib.contextmanager
def verification_slot() -> Iterator[bool]:
    """Hold one of the machine's verification slots; yields False when all are taken."""
    directory = Path(settings.ZHOUCUN_VERIFY_SLOTS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(settings.ZHOUCUN_VERIFY_CONCURRENCY):
        fd = os.open(directory / f"slot-{number}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield True
        finally:
            os.close(fd)  # closing releases the lock
        return
    yield False


class CheckAborted(Exception):
    """The child ran out of time or memory, or died; `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "timeout", "memory" or "crashed"


# What the child runs, as "module:function": the child imports it (it is forked from the
# forkserver, not from this process). Tests point it at stand-ins.
CHECK = "assessments.reports.verify:verify_pdf"
_context = None


def _forkserver():
    """multiprocessing's forkserver context, started on first use with Django and pyHanko
    loaded (`verify_server`): forking it costs milliseconds, as forking this worker did,
    without forking a process that runs other threads."""
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["assessments.reports.verify_server"])
        _context = context
    return _context


def start_forkserver() -> None:
    """Start the forkserver now (it imports Django and pyHanko: seconds), not on the first
    upload. Called by each web worker right after it is forked, while it has one thread."""
    # A child that does nothing: returns once the forkserver has imported what it preloads.
    child = _forkserver().Process(target=verify_server.ready, daemon=True)
    child.start()
    child.join()


def verify_in_child(data: bytes, roots: list | None) -> verify.Verdict:
    """`verify.verify_pdf(data, roots=roots)` in a child process bounded in time and memory.

    Raises CheckAborted when the bounds are hit. The child answers with a small JSON
    document on a pipe.
    """
    timeout = settings.ZHOUCUN_VERIFY_TIMEOUT_SECONDS
    memory = settings.ZHOUCUN_VERIFY_MEMORY_MB * 2**20
    context = _forkserver()
    receive, send = context.Pipe(duplex=False)
    roots_der = None if roots is None else [root.dump() for root in roots]
    child = context.Process(
        target=verify_server.serve_one,
        args=(CHECK, data, roots_der, send, memory, translation.get_language()),
        daemon=True,
    )
    child.start()
    send.close()
    answer = None
    try:
        if receive.poll(timeout):
            try:
                answer = receive.recv_bytes()
            except EOFError:  # died without a word: killed by the kernel or a crash in C
                answer = b""
    finally:
        receive.close()
        if answer is None:
            child.kill()
        child.join()
    if answer is None:
        raise CheckAborted("timeout")
    if not answer:  # died without a word: killed by the kernel or a crash in C code
        raise CheckAborted("crashed")
    try:
        payload = json.loads(answer)
    except ValueError as exc:  # cut off mid-answer
        raise CheckAborted("crashed") from exc
    if payload["outcome"] == "memory":
        raise CheckAborted("memory")
    if payload["outcome"] == "error":
        # An exception pyHanko does not classify: as unreadable as a PDF can be.
        logger.info("Uploaded file unreadable: %s", payload["error"])
        return verify.Verdict(signed=False, readable=False)
    fields = payload["verdict"]
    for moment in ("signing_time", "timestamp", "validated_at"):
        if fields.get(moment):
            fields[moment] = datetime.datetime.fromisoformat(fields[moment])
    return verify.Verdict(**fields)
