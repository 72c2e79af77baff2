import hashlib
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from assessments.models import Assessment, AuditEvent, SignedReport, Unit
from assessments.models.guards import APPEND_ONLY_TABLES
from assessments.ops import backup
from assessments.reports import pki, storage, verify

# Any of these holding a row means the installation is in use: a restore would mix two.
IN_USE = [Unit, Assessment, SignedReport, AuditEvent]


class Command(BaseCommand):
    help = (
        "Rebuild an empty installation from an archive written by `manage.py backup`: check "
        "the manifest, migrate, load the database, write the report files and the trust "
        "roots, then re-verify every signed report. Refuses an installation in use."
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
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / backup.DUMP
            try:
                manifest, roots = self._check_archive(path, dump)
            except (backup.ArchiveError, tarfile.TarError, EOFError, OSError, ValueError) as exc:
                raise CommandError(f"The archive is not intact: {exc}") from exc
            self._refuse_an_installation_in_use()
            roots_pem, roots_targets = self._plan_trust_roots(roots, trust_roots_dir)
            self.stdout.write(f"Archive intact: {len(manifest['members'])} members checked.")
            call_command("migrate", interactive=False, verbosity=0)
            self._load(dump)
        files = self._write_report_files(path)
        for target, data in roots_targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            self.stdout.write(f"Trust roots written to {target}.")
        self._reverify(roots_pem, files)

    def _refuse_an_installation_in_use(self) -> None:
        if next(storage.iter_stored_hashes(), None) is not None:
            raise CommandError("The reports storage is not empty: restore only into a new one.")
        tables = set(connection.introspection.table_names())
        for model in [*IN_USE, get_user_model()]:
            if model._meta.db_table in tables and model.objects.exists():
                raise CommandError(
                    f"The database holds {model._meta.verbose_name_plural}: restore only into "
                    "an empty database."
                )

    def _check_archive(self, path: Path, dump: Path) -> tuple[dict, list[tuple[str, bytes]]]:
        """Hash every member in one pass and compare with the manifest.

        The dump is kept aside for loading and the trust roots in memory (they are small);
        report files are only hashed here and read again when written.
        """
        manifest = None
        actual: dict[str, str] = {}
        roots: list[tuple[str, bytes]] = []
        for name, handle in backup.iter_members(path):
            if name == backup.MANIFEST:
                manifest = json.loads(handle.read())
                continue
            if name in actual:
                raise backup.ArchiveError(f"{name} is in the archive twice")
            if name == backup.DUMP:
                with dump.open("wb") as sink:
                    actual[name] = backup.hash_stream(handle, sink)
            elif backup.member_kind(name) == backup.ROOTS_DIR:
                data = handle.read()
                roots.append((Path(name).name, data))
                actual[name] = hashlib.sha256(data).hexdigest()
            else:
                actual[name] = backup.hash_stream(handle)
        if manifest is None:
            raise backup.ArchiveError("the archive has no manifest.json")
        if manifest.get("format") != backup.FORMAT:
            raise backup.ArchiveError(f"unknown archive format {manifest.get('format')!r}")
        expected = manifest.get("members")
        if not isinstance(expected, dict):
            raise backup.ArchiveError("the manifest lists no members")
        common = expected.keys() & actual.keys()
        differing = sorted(name for name in common if expected[name] != actual[name])
        if differing:
            raise backup.ArchiveError(f"changed since the backup: {', '.join(differing)}")
        if expected.keys() != actual.keys():
            extra = sorted(actual.keys() - expected.keys())
            lost = sorted(expected.keys() - actual.keys())
            raise backup.ArchiveError(f"members not in the manifest {extra}, missing {lost}")
        if backup.DUMP not in actual:
            raise backup.ArchiveError("the archive has no database dump")
        return manifest, roots

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

    def _load(self, dump: Path) -> None:
        with transaction.atomic():
            # Rows that migrations create (the role groups) are in the dump too, with their
            # original keys: make way for them. Only these can exist in an installation that
            # passed the emptiness check; append-only tables are empty, so never touched.
            for model in apps.get_models():
                label = model._meta.label_lower
                if model._meta.db_table in APPEND_ONLY_TABLES or _excluded(label):
                    continue
                if model._meta.managed and not model._meta.proxy:
                    model._base_manager.all().delete()
            call_command("loaddata", str(dump), verbosity=0)
        self.stdout.write(f"Database loaded from {backup.DUMP}.")

    def _write_report_files(self, path: Path) -> int:
        target = storage.report_storage()
        written = 0
        prefix = backup.REPORTS_DIR + "/"
        for name, handle in backup.iter_members(path):
            if not name.startswith(prefix):
                continue
            stored_name = name[len(prefix) :]
            # Written under the archived name as it is, even a damaged file: the
            # re-verification below then names it, as the backup did.
            saved = target.save(stored_name, ContentFile(handle.read()))
            if saved != stored_name:
                raise CommandError(f"Storage wrote {stored_name} as {saved}.")
            written += 1
        self.stdout.write(f"{written} report files written to storage.")
        return written

    def _reverify(self, roots_pem: bytes | None, files: int) -> None:
        roots = pki.load_roots(roots_pem) if roots_pem else None
        problems = []
        verified = total = 0
        rows = SignedReport.objects.order_by("pk").values_list("report_number", "sha256")
        for number, sha256 in rows.iterator():
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
        for problem in problems:
            self.stderr.write(f"PROBLEM {problem}")
        summary = (
            f"Restored: {total} reports, {verified} verified, {files} files, "
            f"{len(problems)} problems."
        )
        if problems:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))


def _excluded(label: str) -> bool:
    app_label = label.split(".")[0]
    return label in backup.EXCLUDED or app_label in backup.EXCLUDED
