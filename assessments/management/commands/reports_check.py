from django.core.management.base import BaseCommand, CommandError

from assessments.reports.storage import check_reports


class Command(BaseCommand):
    help = (
        "Check every signed report against its stored file: files missing or no longer "
        "matching their recorded SHA-256, and orphan files no report refers to (left by an "
        "issue that rolled back). Exit status 1 if anything is wrong."
    )

    def handle(self, *args, **options):
        result = check_reports()
        for number in result.missing:
            self.stdout.write(f"MISSING   {number}: no stored file")
        for number, recorded, actual in result.mismatched:
            self.stdout.write(f"MISMATCH  {number}: recorded {recorded}, stored file {actual}")
        for name in result.orphans:
            self.stdout.write(f"ORPHAN    {name}: no signed report refers to it")
        summary = (
            f"{result.rows} reports, {result.files} stored files: {len(result.missing)} "
            f"missing, {len(result.mismatched)} mismatched, {len(result.orphans)} orphans."
        )
        if result.problems:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
