import datetime

from django.core.management.base import BaseCommand, CommandError

from assessments.models import SignedReport
from assessments.reports.storage import ReportFileMissing, read_report_bytes
from assessments.reports.verify import UNREADABLE, archive_timestamp_expiry


class Command(BaseCommand):
    help = (
        "List the issued reports whose last document timestamp expires within --days days "
        "(its TSA's certificate, or an issuer's): their archive timestamp must be renewed "
        "before then, or they stop validating. Reads every stored report file once. Exit "
        "status 1 if any is due."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args, days, **options):
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        horizon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)
        due = total = plain = unreadable = 0
        reports = SignedReport.objects.only("report_number", "sha256").order_by("pk")
        for report in reports.iterator(chunk_size=2000):
            total += 1
            try:
                expiry = archive_timestamp_expiry(read_report_bytes(report.sha256))
            except (ReportFileMissing, *UNREADABLE):
                unreadable += 1
                self.stdout.write(f"UNREADABLE {report.report_number}: no readable stored file")
                continue
            if expiry is None:
                plain += 1
            elif expiry <= horizon:
                due += 1
                self.stdout.write(f"DUE        {report.report_number}: {expiry.isoformat()}")
        summary = (
            f"{total} reports: {due} with an archive timestamp expiring within {days} days, "
            f"{plain} without one (B-B, cannot be renewed), {unreadable} unreadable."
        )
        if due or unreadable:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(summary))
