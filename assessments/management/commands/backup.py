import os
from contextlib import contextmanager
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import Attachment, SignedReport, attachment_storage
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
        "Write one archive (tar.gz) that can rebuild this installation: every table as JSON "
        "lines, every signed report's and evidence file's stored bytes, the trust roots and "
        "a manifest of SHA-256 hashes, streamed (memory stays flat). Restore it with "
        "`manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write (must not exist)")

    def handle(self, *args, path: Path, **options):
        if path.exists():
            raise CommandError(f"{path} exists; a backup never overwrites a file.")
        self.problems = 0
        counts: dict[str, int] = {}
        partial = path.with_name(path.name + ".partial")
        writer = backup.ArchiveWriter(partial, backup.spool_dir_for(path))
        try:
            # Rows and files from one moment: files are named by their hash and never
            # change, so reading them inside the snapshot gives exactly the rows' files.
            with consistent_snapshot():
                tables = {}
                for model in backup.dumped_models():
                    tables[model._meta.label_lower] = writer.add_spooled(
                        backup.table_member(model),
                        lambda sink, model=model: backup.write_table(model, sink),
                    )
                counts["reports"] = self._add_reports(writer)
                counts["attachments"] = self._add_attachments(writer)
            roots = self._add_trust_roots(writer)
            if not roots:
                self._problem("no trust roots: ZHOUCUN_TRUST_ROOTS names no file")
            writer.finish(
                {
                    "created_at": timezone.now().isoformat(),
                    "django": django.get_version(),
                    "database": connection.vendor,
                    "tables": tables,
                    **counts,
                    "trust_roots": roots,
                }
            )
        except BaseException:
            writer.close()
            partial.unlink(missing_ok=True)
            raise
        os.replace(partial, path)
        with path.open("rb") as handle:
            archive_hash = backup.hash_stream(handle)
        rows = sum(tables.values())
        summary = (
            f"{path}: {rows} rows in {len(tables)} tables, {counts['reports']} reports, "
            f"{counts['attachments']} evidence files, {len(roots)} trust root file(s), "
            f"{path.stat().st_size // 1024} KiB, sha256 {archive_hash}"
        )
        if self.problems:
            raise CommandError(
                f"{summary}. Written, but with {self.problems} problem(s) above.",
                returncode=1,
            )
        self.stdout.write(self.style.SUCCESS(summary))

    def _problem(self, problem: str) -> None:
        """Printed as found and counted: a list would grow with the rows."""
        self.stderr.write(f"PROBLEM {problem}")
        self.problems += 1

    def _add_reports(self, writer) -> int:
        added = 0
        rows = SignedReport.objects.order_by("pk").values_list("report_number", "sha256")
        for number, sha256 in rows.iterator(chunk_size=backup.BATCH):
            name = f"{backup.REPORTS_DIR}/{storage.report_name(sha256)}"
            try:
                data = storage.read_report_bytes(sha256)
            except storage.ReportFileMissing:
                self._problem(f"report {number}: stored file missing, not in the archive")
                continue
            digest = writer.add_bytes(name, data)
            added += 1
            if digest != sha256:
                # Kept as found (it is evidence); the restore's re-verification names it again.
                self._problem(f"report {number}: stored file hashes to {digest}")
        return added

    def _add_attachments(self, writer) -> int:
        """Each stored evidence file once (rows that share a file share its name)."""
        target = attachment_storage()
        added = 0
        rows = Attachment.objects.order_by("file").values_list("file", "sha256").distinct()
        for name, sha256 in rows.iterator(chunk_size=backup.BATCH):
            parts = name.split("/")
            if len(parts) != 3 or parts[0] != backup.ATTACHMENTS_DIR:
                self._problem(f"evidence file {name}: not a stored name, skipped")
                continue
            try:
                with target.open(name, "rb") as handle:
                    size = target.size(name)
                    digest = writer.add_stream(name, handle, size)
            except FileNotFoundError:
                self._problem(f"evidence file {name}: missing, not in the archive")
                continue
            added += 1
            if digest != sha256:
                self._problem(f"evidence file {name}: hashes to {digest}, not {sha256}")
        return added

    def _add_trust_roots(self, writer) -> list[str]:
        configured = settings.ZHOUCUN_TRUST_ROOTS
        if not configured or not Path(configured).is_file():
            return []
        source = Path(configured)
        writer.add_bytes(f"{backup.ROOTS_DIR}/{source.name}", source.read_bytes())
        return [source.name]
