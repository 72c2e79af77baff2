"""Signed reports in storage: written once under their SHA-256, re-hashed whenever read.

The files live in the storage alias ``reports`` (STORAGES in settings): a directory under
``var/`` by default, an S3-compatible bucket through django-storages by configuration. A
file's name is derived from its row's ``sha256``, so the row needs no column for it and the
name itself says what the bytes must hash to.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

logger = logging.getLogger(__name__)

STORAGE_ALIAS = "reports"
SUFFIX = ".pdf"


class ReportFileMissing(Exception):
    """The stored file is not there (or the storage cannot be read)."""


class ReportFileConflict(Exception):
    """A file already stored under a report's name holds other bytes."""


def report_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def report_name(sha256: str) -> str:
    # Two hex characters of fan-out keep directories (and S3 listings) small at 1M reports.
    return f"{sha256[:2]}/{sha256}{SUFFIX}"


def sha256_of_name(name: str) -> str | None:
    """The hash a stored name stands for, or None when the name is not one of ours."""
    parts = name.split("/")
    if len(parts) != 2 or not parts[1].endswith(SUFFIX):
        return None
    digest = parts[1][: -len(SUFFIX)]
    if len(digest) != 64 or parts[0] != digest[:2] or not _is_hex(digest):
        return None
    return digest


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdef" for ch in text)


def store_report(data: bytes) -> str:
    """Write the signed PDF once, under its hash; return the hash.

    Called before the report's row is saved, inside its transaction: if that rolls back the
    file stays as an orphan, which `manage.py reports_check` lists. Storing the same bytes
    twice is harmless; other bytes under the same name are refused, never overwritten.
    """
    digest = hashlib.sha256(data).hexdigest()
    name = report_name(digest)
    storage = report_storage()
    if storage.exists(name):
        if _read(storage, name) != data:
            raise ReportFileConflict(f"{name} exists and holds other bytes")
        return digest
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        # A concurrent writer won the name and the backend chose another one: keep theirs.
        storage.delete(saved)
        if _read(storage, name) != data:
            raise ReportFileConflict(f"{name} exists and holds other bytes")
    return digest


def _read(storage: Storage, name: str) -> bytes:
    try:
        with storage.open(name, "rb") as handle:
            return handle.read()
    except FileNotFoundError as exc:
        raise ReportFileMissing(name) from exc


def read_report_bytes(sha256: str) -> bytes:
    """The stored bytes as they are: the caller re-hashes them before trusting them."""
    return _read(report_storage(), report_name(sha256))


def iter_stored_hashes(storage: Storage | None = None):
    """Every report file in storage, as (name, the hash its name claims)."""
    storage = storage or report_storage()
    try:
        shards, files = storage.listdir("")
    except FileNotFoundError:
        return
    for filename in sorted(files):  # nothing of ours lies at the top: anything here is stray
        yield filename, None
    for shard in sorted(shards):
        _dirs, files = storage.listdir(shard)
        for filename in sorted(files):
            name = f"{shard}/{filename}"
            yield name, sha256_of_name(name)


@dataclass
class CheckResult:
    rows: int = 0
    files: int = 0
    missing: list[str] = field(default_factory=list)  # report numbers whose file is absent
    mismatched: list[tuple[str, str, str]] = field(default_factory=list)  # number, row, file
    orphans: list[str] = field(default_factory=list)  # file names no row refers to

    @property
    def problems(self) -> int:
        return len(self.missing) + len(self.mismatched) + len(self.orphans)


def check_reports() -> CheckResult:
    """Compare every row with its file and every file with the rows (reads each file once)."""
    from ..models import SignedReport

    result = CheckResult()
    known: set[str] = set()
    rows = SignedReport.objects.order_by("pk").values_list("report_number", "sha256")
    for number, sha256 in rows.iterator(chunk_size=2000):
        result.rows += 1
        known.add(sha256)
        try:
            data = read_report_bytes(sha256)
        except ReportFileMissing:
            result.missing.append(number)
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            result.mismatched.append((number, sha256, actual))
    for name, claimed in iter_stored_hashes():
        result.files += 1
        if claimed is None or claimed not in known:
            result.orphans.append(name)
    return result
