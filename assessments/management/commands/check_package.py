from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.ops.package_check import PackageUnreadable, check_package, iter_problems
from assessments.reports.pki import SigningNotConfigured


class Command(BaseCommand):
    help = (
        "Re-run the 四性 check of an archive package from the ZIP alone: manifest hashes, the "
        "manifest's timestamp, the report's signature, formats, encryption, numbering."
    )

    def add_arguments(self, parser):
        parser.add_argument("package", type=Path)

    def handle(self, *args, package, **options):
        if not package.is_file():
            raise CommandError(f"No file {package}. / 文件 {package} 不存在。")
        try:
            report = check_package(package)
        except PackageUnreadable as error:
            raise CommandError(f"Not a ZIP archive: {error} / 不是 ZIP 归档包。") from error
        except SigningNotConfigured as error:
            raise CommandError(f"Cannot check signatures: {error}") from error
        for finding in report.findings:
            mark = "OK  " if finding.ok else "FAIL"
            where = f"{finding.member}: " if finding.member else ""
            self.stdout.write(f"{mark} {finding.prop} {where}{finding.message}")
        if not report.ok:
            problems = "; ".join(iter_problems(report))
            raise CommandError(f"NOT VALID / 检测未通过: {problems}")
        self.stdout.write(self.style.SUCCESS("VALID / 检测通过"))
