"""Bounds on checking an uploaded PDF, so the public page cannot tie up the server.

Measured before these bounds: a 20 MB upload ending in one long line took pyHanko 7 s (it
reads backwards byte by byte looking for the end of file), and eight of them at once made the
staff's login page take 17 s. So, in order, each cheaper than the next:

1. `upload_allowed`: each address may upload so many files a minute (a counter in the
   `ratelimit` cache, shared by the machine's worker processes). Checked, like the size
   cap, before the body is read.
2. `verification_slot`: at most ZHOUCUN_VERIFY_CONCURRENCY uploads are handled at once on
   a machine — reading the body, parsing the form and checking the file (lock files, so
   every worker process counts against the same slots; a lock dies with its process).
   Without a free slot the upload is refused at once with "try again", never queued, so
   the other web workers stay free for staff pages.
3. `common.files.looks_like_pdf`: a PDF starts with ``%PDF-`` and ends with ``startxref … %%EOF``;
   anything else is refused before a parser sees it. `xref_offset_plausible`: that
   offset points at a cross-reference section, or the file is unreadable.
4. `verify_in_child`: pyHanko runs in a forked child with a memory cap (RLIMIT_AS), at a
   lower CPU priority, killed after ZHOUCUN_VERIFY_TIMEOUT_SECONDS. Forking a warm worker
   costs milliseconds; starting a fresh interpreter with pyHanko costs ~0.9 s of CPU.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import logging
import os
import re
import resource
import select
import signal
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

from ..common.files import PDF_TAIL_WINDOW
from . import verify

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


def upload_allowed(address: str | None) -> bool:
    """Count one upload for the address in this minute; False once over the limit."""
    limit = settings.ZHOUCUN_VERIFY_RATE_PER_MINUTE
    cache = caches["ratelimit"]
    key = f"verify-upload:{address or 'unknown'}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= limit


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


def verify_in_child(data: bytes, roots: list) -> verify.Verdict:
    """`verify.verify_pdf(data, roots=roots)` in a forked child bounded in time and memory.

    Raises CheckAborted when the bounds are hit. The child gets `data` through the fork
    (no copy is sent) and answers with a small JSON document on a pipe.
    """
    timeout = settings.ZHOUCUN_VERIFY_TIMEOUT_SECONDS
    memory = settings.ZHOUCUN_VERIFY_MEMORY_MB * 2**20
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(data, roots, write_end, memory)
    os.close(write_end)
    answer = None
    try:
        answer = _read_until(read_end, time.monotonic() + timeout)
    finally:
        os.close(read_end)
        if answer is None:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
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
    if fields["signing_time"]:
        fields["signing_time"] = datetime.datetime.fromisoformat(fields["signing_time"])
    return verify.Verdict(**fields)


def _read_until(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None if it has not finished by the deadline."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _w, _x = select.select([fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _child(data: bytes, roots: list, write_end: int, memory: int) -> None:
    try:
        _limit_memory(memory)
        os.nice(10)  # staff pages come first when both cores are busy
        try:
            verdict = verify.verify_pdf(data, roots=roots)
            fields = asdict(verdict)
            if verdict.signing_time is not None:
                fields["signing_time"] = verdict.signing_time.isoformat()
            payload = {"outcome": "ok", "verdict": fields}
        except MemoryError:
            payload = {"outcome": "memory"}
        except BaseException as exc:  # noqa: BLE001 — reported to the parent, by class name
            payload = {"outcome": "error", "error": exc.__class__.__name__}
        answer = json.dumps(payload).encode()
        while answer:
            answer = answer[os.write(write_end, answer) :]
    finally:
        os._exit(0)


def _limit_memory(extra: int) -> None:
    """Cap the address space at what the forked process already maps plus `extra`."""
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
