"""One archive that can rebuild an installation: what `manage.py backup` writes and
`manage.py restore` reads.

Layout of the tar.gz (docs/storage.md):

    db.json                 every table but the derived ones (`dumpdata --natural-foreign`,
                            so it loads into SQLite or PostgreSQL alike)
    reports/<aa>/<sha>.pdf  each signed report's stored file, named as in storage
    trust-roots/<name>.pem  the PEM file(s) of ZHOUCUN_TRUST_ROOTS
    manifest.json           the SHA-256 of every member above, written last
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import time
from pathlib import PurePosixPath

FORMAT = 1
DUMP = "db.json"
MANIFEST = "manifest.json"
REPORTS_DIR = "reports"
ROOTS_DIR = "trust-roots"

# Rebuilt by `migrate` (content types, permissions), or not worth restoring: sessions and
# django-axes' lockout counters. Natural foreign keys let the rest refer to the rebuilt ones.
EXCLUDED = [
    "contenttypes",
    "auth.permission",
    "sessions",
    "axes",
    # Counted again by the triggers as the assessments are loaded (models.tally).
    "assessments.assessmenttally",
]


class ArchiveError(Exception):
    pass


def add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> str:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))
    return hashlib.sha256(data).hexdigest()


def member_kind(name: str) -> str:
    """What an archive member is; anything unexpected (paths that climb, links) is refused."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise ArchiveError(f"unsafe member name {name!r}")
    if name in (DUMP, MANIFEST):
        return name
    if len(path.parts) == 3 and path.parts[0] == REPORTS_DIR:
        return REPORTS_DIR
    if len(path.parts) == 2 and path.parts[0] == ROOTS_DIR:
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
    while chunk := handle.read(1 << 20):
        digest.update(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest()
