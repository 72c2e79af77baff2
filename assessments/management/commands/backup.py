import json
import os
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import SignedReport
from assessments.ops import backup
from assessments.reports import storage


@contextmanager
def consistent_snapshot():
    """Everything read inside sees one moment of the database.

    PostgreSQL: a REPEATABLE READ transaction (writers are not blocked). SQLite: one
    transaction, which holds other writers back while the dump runs.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz) that can rebuild this installation: a database dump, "
        "every signed report's stored file, the trust roots and a manifest of SHA-256 "
        "hashes. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write (must not exist)")

    def handle(self, *args, path: Path, **options):
        if path.exists():
            raise CommandError(f"{path} exists; a backup never overwrites a file.")
        problems: list[str] = []
        members: dict[str, str] = {}
        partial = path.with_name(path.name + ".partial")
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / backup.DUMP
            with consistent_snapshot():
                call_command(
                    "dumpdata",
                    exclude=backup.EXCLUDED,
                    natural_foreign=True,
                    output=str(dump),
                    verbosity=0,
                )
                reports = list(
                    SignedReport.objects.order_by("pk").values_list("report_number", "sha256")
                )
            try:
                with tarfile.open(partial, "w:gz") as tar:
                    tar.add(dump, arcname=backup.DUMP)
                    with dump.open("rb") as handle:
                        members[backup.DUMP] = backup.hash_stream(handle)
                    for number, sha256 in reports:
                        problem = self._add_report(tar, members, number, sha256)
                        if problem:
                            problems.append(problem)
                    roots = self._add_trust_roots(tar, members)
                    if not roots:
                        problems.append("no trust roots: ZHOUCUN_TRUST_ROOTS names no file")
                    manifest = {
                        "format": backup.FORMAT,
                        "created_at": timezone.now().isoformat(),
                        "django": django.get_version(),
                        "database": connection.vendor,
                        "reports": len(reports),
                        "trust_roots": roots,
                        "members": members,
                    }
                    backup.add_bytes(
                        tar,
                        backup.MANIFEST,
                        json.dumps(manifest, indent=1, ensure_ascii=False).encode(),
                    )
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        os.replace(partial, path)
        with path.open("rb") as handle:
            archive_hash = backup.hash_stream(handle)
        for problem in problems:
            self.stderr.write(f"PROBLEM {problem}")
        summary = (
            f"{path}: {len(reports)} reports, {len(roots)} trust root file(s), "
            f"{path.stat().st_size // 1024} KiB, sha256 {archive_hash}"
        )
        if problems:
            raise CommandError(
                f"{summary}. Written, but with {len(problems)} problem(s) above.", returncode=1
            )
        self.stdout.write(self.style.SUCCESS(summary))

    def _add_report(self, tar, members, number: str, sha256: str) -> str | None:
        name = f"{backup.REPORTS_DIR}/{storage.report_name(sha256)}"
        try:
            data = storage.read_report_bytes(sha256)
        except storage.ReportFileMissing:
            return f"report {number}: stored file missing, not in the archive"
        members[name] = backup.add_bytes(tar, name, data)
        if members[name] != sha256:
            # Kept as found (it is evidence); the restore's re-verification names it again.
            return f"report {number}: stored file hashes to {members[name]}, not {sha256}"
        return None

    def _add_trust_roots(self, tar, members) -> list[str]:
        configured = settings.ZHOUCUN_TRUST_ROOTS
        if not configured or not Path(configured).is_file():
            return []
        source = Path(configured)
        name = f"{backup.ROOTS_DIR}/{source.name}"
        members[name] = backup.add_bytes(tar, name, source.read_bytes())
        return [source.name]
