"""One archive that can rebuild an installation: what `manage.py backup` writes and
`manage.py restore` reads. Both stream: memory stays flat however many rows and files.

Layout of the tar.gz (format 2, docs/storage.md):

    db/<app>.<model>.jsonl      one table: a header line naming the columns, then one JSON
                                list of values per row, in primary-key order. Plain values
                                (ISO dates, base64 for binary), so an archive written on
                                SQLite loads into PostgreSQL and back
    reports/<aa>/<sha>.pdf      each signed report's stored file, named as in storage
    attachments/<aa>/<sha>      each evidence file, named as in the attachments storage
    trust-roots/<name>.pem      the PEM file(s) of ZHOUCUN_TRUST_ROOTS
    manifest.jsonl              written last: a header line, then the name, size and SHA-256
                                of every member above, in archive order

Seal images are rows (`Seal.image` is a binary column): they travel in their table.
Content types and permissions are rebuilt by `migrate`; their tables travel only so that the
rows referring to them can be mapped onto the rebuilt ones by natural key.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import PurePosixPath

from django.apps import apps
from django.core import serializers
from django.db import models

FORMAT = 2
MANIFEST = "manifest.jsonl"
DB_DIR = "db"
REPORTS_DIR = "reports"
ATTACHMENTS_DIR = "attachments"
ROOTS_DIR = "trust-roots"
TABLE_SUFFIX = ".jsonl"
CHUNK = 1 << 20
# Rows read from the database per round trip and written per INSERT.
BATCH = 2000

# Not worth restoring: sessions and django-axes' lockout counters.
EXCLUDED_APPS = {"sessions", "axes"}
# Derived: the dashboard's counts, kept by triggers as the assessments are loaded and
# counted again at the end of a restore (models.tally).
EXCLUDED_MODELS = {"assessments.assessmenttally"}
# Rebuilt by `migrate`: dumped for the mapping of old keys to the rebuilt rows only.
REFERENCE = {"contenttypes.contenttype", "auth.permission"}

# Field types whose values are not JSON as they come from the database.
_CONVERTED = (
    models.DateTimeField,
    models.DateField,
    models.TimeField,
    models.DecimalField,
    models.UUIDField,
    models.DurationField,
    models.BinaryField,
)


class ArchiveError(Exception):
    pass


def dumped_models() -> list[type[models.Model]]:
    """Every table that travels, parents before children (also M2M link tables)."""
    found = []
    for config in apps.get_app_configs():
        if config.label in EXCLUDED_APPS:
            continue
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.label_lower in EXCLUDED_MODELS:
                continue
            found.append(model)
    plain = [m for m in found if not m._meta.auto_created]
    ordered = serializers.sort_dependencies([(None, plain)], allow_cycles=True)
    return ordered + [m for m in found if m._meta.auto_created]


def table_member(model) -> str:
    return f"{DB_DIR}/{model._meta.label_lower}{TABLE_SUFFIX}"


def columns(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.generated]


def _encode(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot archive a {type(value).__name__}")


def decoder(field: models.Field):
    """A function turning an archived value back into one the field accepts."""
    if isinstance(field, models.DurationField):
        return lambda v: None if v is None else datetime.timedelta(seconds=v)
    if isinstance(field, models.BinaryField):
        return lambda v: None if v is None else base64.b64decode(v)
    if isinstance(field, _CONVERTED):
        return lambda v: None if v is None else field.to_python(v)
    if isinstance(field, models.ForeignKey) and isinstance(field.target_field, _CONVERTED):
        return decoder(field.target_field)
    return None


def write_table(model, sink) -> int:
    """The table as JSON lines into a binary file; returns the row count."""
    fields = columns(model)
    header = {"table": model._meta.label_lower, "columns": [f.attname for f in fields]}
    sink.write(json.dumps(header).encode() + b"\n")
    rows = 0
    query = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
    for values in query.iterator(chunk_size=BATCH):
        line = json.dumps(values, ensure_ascii=False, default=_encode, separators=(",", ":"))
        sink.write(line.encode() + b"\n")
        rows += 1
    return rows


def read_table(handle) -> tuple[dict, Iterator[list]]:
    """The header and the rows of one table member, read line by line."""
    text = io.TextIOWrapper(handle, encoding="utf-8")
    first = text.readline()
    try:
        header = json.loads(first)
    except ValueError as exc:
        raise ArchiveError("a table member has no header line") from exc
    if not isinstance(header, dict) or "columns" not in header:
        raise ArchiveError("a table member has no header line")

    def rows():
        for line in text:
            yield json.loads(line)

    return header, rows()


class ArchiveWriter:
    """A tar.gz written member by member, each member's SHA-256 kept for the manifest.

    The manifest's lines go to a temporary file as members are added (not into memory),
    and are copied into the archive last.
    """

    def __init__(self, path, spool_dir: str):
        self.tar = tarfile.open(path, "w:gz")  # noqa: SIM115 - closed by close()
        self.spool_dir = spool_dir
        self.lines = tempfile.TemporaryFile(dir=spool_dir)  # noqa: SIM115
        self.count = 0

    def add_bytes(self, name: str, data: bytes) -> str:
        return self.add_stream(name, io.BytesIO(data), len(data))

    def add_stream(self, name: str, handle, size: int) -> str:
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        info.mtime = int(time.time())
        hashing = HashingReader(handle)
        self.tar.addfile(info, hashing)
        digest = hashing.digest.hexdigest()
        entry = {"name": name, "size": size, "sha256": digest}
        self.lines.write(json.dumps(entry, ensure_ascii=False).encode() + b"\n")
        self.count += 1
        return digest

    def add_spooled(self, name: str, fill) -> object:
        """A member built by `fill(binary file)` in a temporary file, then copied in."""
        with tempfile.TemporaryFile(dir=self.spool_dir) as spool:
            result = fill(spool)
            size = spool.tell()
            spool.seek(0)
            self.add_stream(name, spool, size)
        return result

    def finish(self, header: dict) -> None:
        header = {**header, "format": FORMAT, "members": self.count}
        with tempfile.TemporaryFile(dir=self.spool_dir) as spool:
            spool.write(json.dumps(header, ensure_ascii=False).encode() + b"\n")
            self.lines.seek(0)
            while chunk := self.lines.read(CHUNK):
                spool.write(chunk)
            size = spool.tell()
            spool.seek(0)
            info = tarfile.TarInfo(MANIFEST)
            info.size = size
            info.mode = 0o600
            info.mtime = int(time.time())
            self.tar.addfile(info, spool)
        self.close()

    def close(self) -> None:
        self.lines.close()
        self.tar.close()


class HashingReader(io.RawIOBase):
    """A readable stream over `handle` that hashes what passes through it."""

    def __init__(self, handle):
        super().__init__()
        self.handle = handle
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.handle.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        return len(data)

    def hexdigest_to_end(self) -> str:
        """The hash of the whole stream: what no reader above took yet is read (and
        hashed) first, from the handle itself (a text reader above may have closed this)."""
        while chunk := self.handle.read(CHUNK):
            self.digest.update(chunk)
        return self.digest.hexdigest()


def member_kind(name: str) -> str:
    """What an archive member is; anything unexpected (paths that climb, links) is refused."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "" in path.parts:
        raise ArchiveError(f"unsafe member name {name!r}")
    parts = path.parts
    if name == MANIFEST:
        return MANIFEST
    if len(parts) == 2 and parts[0] == DB_DIR and parts[1].endswith(TABLE_SUFFIX):
        return DB_DIR
    if len(parts) == 3 and parts[0] in (REPORTS_DIR, ATTACHMENTS_DIR):
        return parts[0]
    if len(parts) == 2 and parts[0] == ROOTS_DIR:
        return ROOTS_DIR
    raise ArchiveError(f"unexpected member {name!r}")


def iter_members(archive_path):
    """(member name, file object) for each regular file, in archive order."""
    with tarfile.open(archive_path, "r:gz") as tar:
        for member in tar:
            if not member.isfile():
                raise ArchiveError(f"{member.name!r} is not a regular file")
            member_kind(member.name)
            yield member.name, tar.extractfile(member)


def hash_stream(handle, sink=None) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest()


def check_archive(path, spool_dir: str) -> tuple[dict, dict[str, str]]:
    """Every member hashed and compared, in order, with the manifest's line for it.

    One pass hashes the members (their hashes go to a temporary file, not memory) and keeps
    the manifest aside; the two are then read side by side. Returns the manifest's header
    and the checked hashes of the tables and trust roots (a few dozen members), so a
    restore that reads them again can tell that they are still the bytes checked here.
    Report and evidence files need no such list: each is named by its own hash.
    """
    small: dict[str, str] = {}
    seen = tempfile.TemporaryFile(dir=spool_dir, mode="w+", encoding="utf-8")  # noqa: SIM115
    manifest = tempfile.TemporaryFile(dir=spool_dir)  # noqa: SIM115
    with seen, manifest:
        found_manifest = False
        for name, handle in iter_members(path):
            if found_manifest:
                raise ArchiveError(f"{name} follows the manifest")
            if name == MANIFEST:
                hash_stream(handle, manifest)
                found_manifest = True
                continue
            seen.write(json.dumps([name, hash_stream(handle)], ensure_ascii=False) + "\n")
        if not found_manifest:
            raise ArchiveError(f"the archive has no {MANIFEST}")
        seen.seek(0)
        manifest.seek(0)
        listed = io.TextIOWrapper(manifest, encoding="utf-8")
        try:
            header = json.loads(listed.readline())
        except ValueError as exc:
            raise ArchiveError("the manifest has no header") from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ArchiveError(f"unknown archive format {header.get('format')!r}")
        count = 0
        for line in seen:
            name, actual = json.loads(line)
            entry = listed.readline()
            if not entry:
                raise ArchiveError(f"{name} is not in the manifest")
            expected = json.loads(entry)
            if expected.get("name") != name:
                raise ArchiveError(f"{name} is not where the manifest lists it")
            if expected.get("sha256") != actual:
                raise ArchiveError(f"changed since the backup: {name}")
            if member_kind(name) in (DB_DIR, ROOTS_DIR):
                small[name] = actual
            count += 1
        rest = listed.readline()
        if rest:
            raise ArchiveError(f"missing from the archive: {json.loads(rest).get('name')}")
        if count != header.get("members"):
            raise ArchiveError("the manifest's count does not match its lines")
        listed.detach()
    return header, small


def read_checked(handle, name: str, checked: dict[str, str]) -> HashingReader:
    """`handle` (a member read again after `check_archive`) as a stream whose hash the
    caller compares with `checked` once read, through `still_as_checked`."""
    if name not in checked:
        raise ArchiveError(f"{name} was not in the archive when it was checked")
    return HashingReader(handle)


def still_as_checked(reader: HashingReader, name: str, checked: dict[str, str]) -> None:
    if reader.hexdigest_to_end() != checked[name]:
        raise ArchiveError(f"{name} changed after the archive was checked")


def spool_dir_for(path) -> str:
    """Temporary files beside the archive (the same disk as the archive itself)."""
    return os.fspath(path.parent) if path.parent.exists() else tempfile.gettempdir()
