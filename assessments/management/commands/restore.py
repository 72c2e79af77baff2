import hashlib
import io
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import File
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, reset_queries, transaction

from assessments.models import (
    Assessment,
    Attachment,
    AuditEvent,
    SignedReport,
    Unit,
    attachment_storage,
    rebuild_tallies,
    triggers_paused,
)
from assessments.models.guards import APPEND_ONLY_TABLES
from assessments.ops import backup
from assessments.reports import pki, storage, verify

# Any of these holding a row means the installation is in use: a restore would mix two.
IN_USE = [Unit, Assessment, SignedReport, AuditEvent]


class Command(BaseCommand):
    help = (
        "Rebuild an empty installation from an archive written by `manage.py backup`: check "
        "every member against the manifest, migrate, load the tables in batches, write the "
        "report and evidence files and the trust roots, then re-verify every signed report's "
        "signature and every evidence file's hash. Refuses an installation in use."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive written by `manage.py backup`")
        parser.add_argument(
            "--trust-roots-dir",
            type=Path,
            help="write the archive's trust roots here (default: the file ZHOUCUN_TRUST_ROOTS "
            "names, if it does not exist yet)",
        )

    def handle(self, *args, path: Path, trust_roots_dir: Path | None, **options):
        if not path.is_file():
            raise CommandError(f"No archive at {path}.")
        with tempfile.TemporaryDirectory(dir=backup.spool_dir_for(path)) as tmp:
            try:
                manifest, checked = backup.check_archive(path, tmp)
                roots = self._trust_roots(path, checked)
            except (backup.ArchiveError, tarfile.TarError, EOFError, OSError, ValueError) as exc:
                raise CommandError(
                    f"The archive is not intact: {exc}. Nothing was restored."
                ) from exc
        self._refuse_an_installation_in_use()
        roots_pem, roots_targets = self._plan_trust_roots(roots, trust_roots_dir)
        self.stdout.write(f"Archive intact: {manifest['members']} members checked.")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            rows = self._load(path, checked)
        except backup.ArchiveError as exc:
            raise CommandError(f"The archive is not intact: {exc}. Nothing was restored.") from exc
        files, evidence = self._write_files(path)
        for target, data in roots_targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            self.stdout.write(f"Trust roots written to {target}.")
        self._reverify(roots_pem, rows, files, evidence)

    def _refuse_an_installation_in_use(self) -> None:
        if next(storage.iter_stored_hashes(), None) is not None:
            raise CommandError("The reports storage is not empty: restore only into a new one.")
        try:
            _dirs, files = attachment_storage().listdir(backup.ATTACHMENTS_DIR)
        except FileNotFoundError:
            _dirs = files = []
        if _dirs or files:
            raise CommandError(
                "The evidence files storage is not empty: restore only into a new one."
            )
        tables = set(connection.introspection.table_names())
        for model in [*IN_USE, get_user_model()]:
            if model._meta.db_table in tables and model.objects.exists():
                raise CommandError(
                    f"The database holds {model._meta.verbose_name_plural}: restore only into "
                    "an empty database."
                )

    def _trust_roots(self, path: Path, checked: dict[str, str]) -> list[tuple[str, bytes]]:
        roots = []
        for name, handle in backup.iter_members(path):
            if backup.member_kind(name) == backup.ROOTS_DIR:
                data = handle.read()
                if hashlib.sha256(data).hexdigest() != checked.get(name):
                    raise backup.ArchiveError(f"{name} changed after the archive was checked")
                roots.append((Path(name).name, data))
        return roots

    def _plan_trust_roots(self, files: list[tuple[str, bytes]], directory: Path | None):
        """Where each root file goes — decided before anything is written."""
        if not files:
            self.stderr.write("PROBLEM the archive holds no trust roots")
            return None, []
        pem = b"".join(data for _name, data in files)
        if directory is not None:
            targets = [(directory / filename, data) for filename, data in files]
        elif settings.ZHOUCUN_TRUST_ROOTS:
            if len(files) != 1:
                raise CommandError("The archive holds several root files: use --trust-roots-dir.")
            targets = [(Path(settings.ZHOUCUN_TRUST_ROOTS), files[0][1])]
        else:
            raise CommandError(
                "Nowhere to put the trust roots: set ZHOUCUN_TRUST_ROOTS or use --trust-roots-dir."
            )
        writes = []
        for target, data in targets:
            if target.exists():
                if target.read_bytes() != data:
                    raise CommandError(
                        f"{target} exists with other roots; choose --trust-roots-dir."
                    )
                continue
            writes.append((target, data))
        return pem, writes

    def _load(self, path: Path, checked: dict[str, str]) -> int:
        """Every table, read line by line and inserted in batches, in one transaction that
        a table no longer as checked rolls back."""
        models = {m._meta.label_lower: m for m in backup.dumped_models()}
        remap: dict[str, dict] = {}
        loaded = []
        total = 0
        with transaction.atomic(), connection.constraint_checks_disabled(), triggers_paused():
            # Rows that migrations create (the role groups) are in the archive too, with their
            # original keys: make way for them. Only these can exist in an installation that
            # passed the emptiness check; append-only tables are empty, so never touched.
            for label, model in models.items():
                if label in backup.REFERENCE or model._meta.db_table in APPEND_ONLY_TABLES:
                    continue
                model._base_manager.all().delete()
            for name, handle in backup.iter_members(path):
                if backup.member_kind(name) != backup.DB_DIR:
                    continue
                reader = backup.read_checked(handle, name, checked)
                header, rows = backup.read_table(io.BufferedReader(reader))
                label = header.get("table")
                model = models.get(label)
                if model is None:
                    raise CommandError(
                        f"The archive holds table {label!r}, which this version does not have."
                    )
                if label == "contenttypes.contenttype":
                    remap["contenttypes.contenttype"] = self._map_content_types(header, rows)
                elif label == "auth.permission":
                    remap["auth.permission"] = self._map_permissions(header, rows, remap)
                else:
                    total += self._load_table(model, header, rows, remap)
                    loaded.append(model)
                backup.still_as_checked(reader, name, checked)
            connection.check_constraints(table_names=[m._meta.db_table for m in loaded])
            rebuild_tallies()
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), loaded):
                    cursor.execute(sql)
        self.stdout.write(f"Database loaded: {total} rows in {len(loaded)} tables.")
        return total

    def _load_table(self, model, header: dict, rows, remap: dict) -> int:
        by_name = {f.attname: f for f in backup.columns(model)}
        names = header["columns"]
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise CommandError(
                f"{model._meta.label}: the archive has columns {unknown} unknown here."
            )
        convert = []
        for index, attname in enumerate(names):
            field = by_name[attname]
            mapping = None
            if field.is_relation and field.related_model is not None:
                mapping = remap.get(field.related_model._meta.label_lower)
            decode = backup.decoder(field)
            if mapping is not None:
                convert.append((index, lambda v, m=mapping: None if v is None else m[v]))
            elif decode is not None:
                convert.append((index, decode))
        count = 0
        batch = []
        for values in rows:
            for index, function in convert:
                values[index] = function(values[index])
            batch.append(model(**dict(zip(names, values, strict=True))))
            if len(batch) >= backup.BATCH:
                model._base_manager.bulk_create(batch)
                count += len(batch)
                batch = []
                # With DEBUG on, Django keeps the last 9,000 queries' SQL: batches of 2,000
                # rows each would hold hundreds of megabytes. (Not while a caller captures.)
                if settings.DEBUG and not connection.force_debug_cursor:
                    reset_queries()
        if batch:
            model._base_manager.bulk_create(batch)
            count += len(batch)
        return count

    def _map_content_types(self, header: dict, rows) -> dict[int, int]:
        names = header["columns"]
        mapping = {}
        for values in rows:
            row = dict(zip(names, values, strict=True))
            found, _created = ContentType.objects.get_or_create(
                app_label=row["app_label"], model=row["model"]
            )
            mapping[row["id"]] = found.pk
        return mapping

    def _map_permissions(self, header: dict, rows, remap: dict) -> dict[int, int]:
        names = header["columns"]
        types = remap.get("contenttypes.contenttype")
        if types is None:
            raise CommandError("The archive lists permissions before content types.")
        mapping = {}
        for values in rows:
            row = dict(zip(names, values, strict=True))
            found, _created = Permission.objects.get_or_create(
                content_type_id=types[row["content_type_id"]],
                codename=row["codename"],
                defaults={"name": row["name"]},
            )
            mapping[row["id"]] = found.pk
        return mapping

    def _write_files(self, path: Path) -> tuple[int, int]:
        reports = storage.report_storage()
        evidence = attachment_storage()
        written = {backup.REPORTS_DIR: 0, backup.ATTACHMENTS_DIR: 0}
        for name, handle in backup.iter_members(path):
            kind = backup.member_kind(name)
            if kind == backup.REPORTS_DIR:
                target, stored_name = reports, name[len(backup.REPORTS_DIR) + 1 :]
            elif kind == backup.ATTACHMENTS_DIR:
                target, stored_name = evidence, name  # stored as "attachments/<aa>/<sha>"
            else:
                continue
            # Written under the archived name as it is, even a damaged file: the
            # re-verification below then names it, as the backup did.
            # Streamed from the archive in chunks, never read whole into memory.
            saved = target.save(stored_name, File(handle, name=stored_name))
            if saved != stored_name:
                raise CommandError(f"Storage wrote {stored_name} as {saved}.")
            written[kind] += 1
        self.stdout.write(
            f"{written[backup.REPORTS_DIR]} report files and "
            f"{written[backup.ATTACHMENTS_DIR]} evidence files written to storage."
        )
        return written[backup.REPORTS_DIR], written[backup.ATTACHMENTS_DIR]

    def _reverify(self, roots_pem: bytes | None, rows: int, files: int, evidence: int) -> None:
        roots = pki.load_roots(roots_pem) if roots_pem else None
        problems = _Problems(self.stderr)
        verified = total = 0
        reports = SignedReport.objects.order_by("pk").values_list("report_number", "sha256")
        for number, sha256 in reports.iterator(chunk_size=backup.BATCH):
            total += 1
            try:
                data = storage.read_report_bytes(sha256)
            except storage.ReportFileMissing:
                problems.append(f"{number}: no stored file")
                continue
            actual = hashlib.sha256(data).hexdigest()
            if actual != sha256:
                problems.append(f"{number}: file hashes to {actual}, recorded {sha256}")
                continue
            try:
                verdict = verify.verify_pdf(data, roots=roots)
            except pki.SigningNotConfigured:
                problems.append(f"{number}: no trust roots to check the signature against")
                continue
            if not verdict.valid:
                problems.append(
                    f"{number}: signature not valid (intact={verdict.intact} "
                    f"trusted={verdict.trusted} whole_file={verdict.covers_whole_file}) "
                    f"{verdict.problem}".rstrip()
                )
                continue
            verified += 1
        attachments = evidence_ok = 0
        target = attachment_storage()
        stored = Attachment.objects.order_by("file").values_list("file", "sha256").distinct()
        for name, sha256 in stored.iterator(chunk_size=backup.BATCH):
            attachments += 1
            try:
                with target.open(name, "rb") as handle:
                    actual = backup.hash_stream(handle)
            except FileNotFoundError:
                problems.append(f"evidence file {name}: not in storage")
                continue
            if actual != sha256:
                problems.append(f"evidence file {name}: hashes to {actual}, recorded {sha256}")
                continue
            evidence_ok += 1
        summary = (
            f"Restored: {rows} rows, {total} reports, {verified} verified, {files} files, "
            f"{attachments} evidence files, {evidence_ok} verified, {problems.count} problems."
        )
        if problems.count:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))


class _Problems:
    """Each problem printed as it is found and counted (a list would grow with the rows)."""

    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def append(self, problem: str) -> None:
        self.stream.write(f"PROBLEM {problem}")
        self.count += 1
