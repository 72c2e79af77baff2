import datetime
import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import SignedReport
from assessments.reports.verify import verify_pdf


class Command(BaseCommand):
    help = "Say whether a PDF is an issued report, unchanged, with a valid trusted signature."

    def add_arguments(self, parser):
        parser.add_argument("pdf", type=Path)
        parser.add_argument(
            "--at",
            help="Validate as of this moment (ISO 8601, e.g. 2040-01-01; UTC unless it says "
            "otherwise) instead of now: would the report still validate then?",
        )

    def handle(self, *args, pdf, at=None, **options):
        if not pdf.is_file():
            raise CommandError(f"No file {pdf}.")
        moment = None
        if at:
            try:
                moment = datetime.datetime.fromisoformat(at)
            except ValueError as error:
                raise CommandError(f"--at {at!r} is not an ISO 8601 date or time.") from error
            if moment.utcoffset() is None:
                moment = moment.replace(tzinfo=datetime.UTC)
        data = pdf.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        report = SignedReport.objects.filter(sha256=digest).only("report_number").first()
        verdict = verify_pdf(data, at=moment)
        self.stdout.write(f"SHA-256: {digest}")
        if report:
            self.stdout.write(f"Identical to issued report {report.report_number}.")
        else:
            self.stdout.write("Not identical to any issued report.")
        self.stdout.write(
            f"Signature: signed={verdict.signed} intact={verdict.intact} "
            f"trusted={verdict.trusted} whole_file={verdict.covers_whole_file} "
            f"signer={verdict.signer or '-'} {verdict.problem}".rstrip()
        )
        stamped = verdict.timestamp.isoformat() if verdict.timestamp else "none (B-B)"
        self.stdout.write(
            f"Timestamp: {stamped}; long-term (DSS + document timestamp): {verdict.long_term}"
        )
        if verdict.validated_at:
            self.stdout.write(f"Trust judged as of: {verdict.validated_at.isoformat()}")
        if not (report and verdict.valid):
            raise CommandError("NOT VALID")
        self.stdout.write(self.style.SUCCESS("VALID"))
