import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from assessments.ops import archive
from assessments.ops.package_check import iter_problems
from assessments.reports import sign, storage
from assessments.reports.pki import SigningNotConfigured


class Command(BaseCommand):
    help = (
        "Write the archive package (归档包) of an issued assessment: signed report, evidence, "
        "metadata.xml, audit trail, 四性 self-check, timestamped SHA-256 manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("out", type=Path, help="the ZIP file to write")

    def handle(self, *args, assessment_id, out, **options):
        assessment = (
            Assessment.objects.select_related("owner_unit", "risk_level")
            .filter(pk=assessment_id)
            .first()
        )
        if assessment is None:
            raise CommandError(
                f"No assessment {assessment_id}. / 没有编号为 {assessment_id} 的评估。"
            )
        if not out.parent.is_dir():
            raise CommandError(f"No directory {out.parent}. / 目录 {out.parent} 不存在。")
        # Written beside the target and renamed when whole: no half package under its name.
        handle, partial = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
        os.close(handle)
        try:
            result = archive.build_package(assessment, partial)
        except archive.NotIssued as error:
            Path(partial).unlink()
            raise CommandError(
                f"Assessment {assessment_id} is not issued: only an issued report is archived. "
                f"/ 评估 {assessment_id} 尚未出具报告，不能归档。"
            ) from error
        except storage.ReportFileMissing as error:
            Path(partial).unlink()
            raise CommandError(f"The signed report's file is missing: {error}") from error
        except (sign.TimestampUnavailable, SigningNotConfigured) as error:
            Path(partial).unlink()
            raise CommandError(f"The manifest could not be timestamped: {error}") from error
        if not result.ok:
            Path(partial).unlink()
            for problem in iter_problems(result.report):
                self.stderr.write(problem)
            raise CommandError("The package failed its 四性 self-check; nothing was written.")
        os.replace(partial, out)
        self.stdout.write(
            f"{out}: {len(result.documents)} documents, manifest sha256 {result.manifest_sha256}"
        )
        self.stdout.write(self.style.SUCCESS("OK"))
