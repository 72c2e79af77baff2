import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.content import assessment_content
from assessments.models import Assessment, SignedReport
from assessments.reports.context import live_outline
from assessments.reports.render import ReportRenderError, render_pdf
from assessments.reports.storage import read_report_bytes


class Command(BaseCommand):
    help = (
        "Write an assessment's report as PDF. An issued assessment gives its stored signed "
        "PDF; any other is rendered from its current content with a draft watermark."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("output", type=Path)
        parser.add_argument(
            "--no-watermark", action="store_true", help="leave out the 草稿 watermark"
        )

    def handle(self, *args, assessment_id, output, no_watermark, **options):
        assessment = Assessment.objects.filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"No assessment {assessment_id}.")
        report = SignedReport.objects.filter(assessment=assessment).first()
        if report is not None:
            data = read_report_bytes(report.sha256)
            if hashlib.sha256(data).hexdigest() != report.sha256:
                raise CommandError(f"The stored file of {report.report_number} was altered.")
            output.write_bytes(data)
            self.stdout.write(f"{output}: issued report {report.report_number} (signed).")
            return
        try:
            pdf = render_pdf(
                assessment_content(assessment),
                draft_watermark=not no_watermark,
                outline=live_outline(assessment),
            )
        except ReportRenderError as exc:
            raise CommandError(str(exc)) from exc
        output.write_bytes(pdf)
        self.stdout.write(f"{output}: draft rendering, not signed ({len(pdf)} bytes).")
