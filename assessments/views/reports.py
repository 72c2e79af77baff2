"""Issued reports: the download (re-hashed, audited), the issuing status and its retry."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import permissions
from ..issuing.progress import issue_panel
from ..issuing.tasks import issue_report_task
from ..models import Assessment, AuditAction, SignedReport, Status
from ..ops import archive
from ..ops.package_check import iter_problems
from ..reports import sign, storage
from ..reports.pki import SigningNotConfigured
from ..services.audit import audit_record, audit_request_failure
from .access import deny, get_assessment_or_404

logger = logging.getLogger(__name__)


@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored, signed PDF — never a fresh render, and only if it still hashes to its row."""
    assessment = get_assessment_or_404(request, pk)
    if not permissions.can_download_report(request.user, assessment):
        if assessment.status != Status.ISSUED:
            raise Http404
        raise deny(request, assessment, "download")
    report = SignedReport.objects.only("report_number", "sha256").get(assessment=assessment)
    try:
        data = storage.read_report_bytes(report.sha256)
    except storage.ReportFileMissing:
        return _refuse_download(request, assessment, report, stored_hash=None)
    digest = hashlib.sha256(data).hexdigest()
    if digest != report.sha256:
        return _refuse_download(request, assessment, report, stored_hash=digest)
    audit_record(
        action=AuditAction.DOWNLOAD,
        user=request.user,
        request=request,
        obj=assessment,
        detail=f"{report.report_number} sha256={digest}",  # the hash of what is sent
    )
    response = HttpResponse(data, content_type="application/pdf")
    filename = quote(f"{report.report_number}.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@require_GET
def archive_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The archive package of an issued report, built now (docs/archive.md) and streamed from a
    temporary file; refused with a message when it cannot be built whole and checked."""
    queryset = Assessment.objects.select_related("owner_unit", "risk_level")
    assessment = get_assessment_or_404(request, pk, queryset=queryset)
    if not permissions.can_download_archive(request.user, assessment):
        raise deny(request, assessment, "download archive package")
    if assessment.status != Status.ISSUED:
        audit_request_failure(
            request, AuditAction.REFUSED, assessment, f"archive package while {assessment.status}"
        )
        messages.warning(request, _("Only an issued report can be packed for the archive."))
        return redirect(assessment.get_absolute_url())
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
    try:
        result = archive.build_package(assessment, out)
    except storage.ReportFileMissing:
        out.close()
        return _refuse_archive(
            request, assessment, "report file missing", _("The signed report's file is missing.")
        )
    except (sign.TimestampUnavailable, SigningNotConfigured) as error:
        out.close()
        logger.warning("Archive package of assessment %s not timestamped: %s", pk, error)
        return _refuse_archive(
            request,
            assessment,
            f"no timestamp: {error}",
            _(
                "The archive package needs a timestamp, and the timestamp service cannot be "
                "reached now. Try again later."
            ),
        )
    if not result.ok:
        out.close()
        problems = "; ".join(iter_problems(result.report))
        logger.error("Archive package of assessment %s failed its check: %s", pk, problems)
        return _refuse_archive(
            request,
            assessment,
            f"self-check failed: {problems}"[:2000],
            _("The archive package failed its four-properties check: %(problems)s")
            % {"problems": problems},
        )
    number = result.report_number
    audit_record(
        action=AuditAction.DOWNLOAD,
        user=request.user,
        request=request,
        obj=assessment,
        detail=f"archive package of {number}: manifest sha256={result.manifest_sha256}",
    )
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=f"{number}-归档包.zip", content_type="application/zip"
    )


def _refuse_archive(request, assessment, reason: str, message: str) -> HttpResponse:
    audit_request_failure(request, AuditAction.REFUSED, assessment, reason)
    messages.error(request, message)
    return redirect(assessment.get_absolute_url())


@require_GET
def issue_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed report / issuing panel of the detail page, polled by htmx while issuing."""
    assessment = get_assessment_or_404(request, pk)
    try:
        polls = max(0, int(request.GET.get("polls", "0")))
    except ValueError:
        polls = 0
    context = issue_panel(request.user, assessment, polls=polls)
    # Once issued, the status badge at the top of the page is replaced too (out of band).
    context["swap_status_badge"] = request.htmx and assessment.status == Status.ISSUED
    return render(request, "assessments/_issue_status.html", context)


def _refuse_download(request, assessment, report, *, stored_hash: str | None) -> HttpResponse:
    """The stored file is missing or no longer the signed report: refuse, audit, alert."""
    found = stored_hash or "missing"
    audit_record(
        action=AuditAction.DOWNLOAD,
        user=request.user,
        request=request,
        obj=assessment,
        success=False,
        detail=f"{report.report_number} refused: recorded sha256={report.sha256} stored={found}",
    )
    # One line for the operators' alerting: the evidence store no longer holds the report.
    logger.error(
        "Stored report %s failed its check: recorded sha256=%s stored=%s; download refused",
        report.report_number,
        report.sha256,
        found,
    )
    context = {"assessment": assessment, "report": report, "missing": stored_hash is None}
    # 409: the stored file conflicts with its record; 503: the file cannot be had at all.
    status = 503 if stored_hash is None else 409
    return render(request, "reports/download_refused.html", context, status=status)


@require_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Try issuing again after a failure (administrators and the unit's reviewers)."""
    assessment = get_assessment_or_404(request, pk)
    if not permissions.can_retry_issue(request.user, assessment):
        raise deny(request, assessment, "retry issue")
    if assessment.status != Status.APPROVED:
        messages.warning(request, _("Only an approved, not yet issued assessment can be issued."))
        return redirect(assessment.get_absolute_url())
    result = issue_report_task.enqueue(assessment.pk)
    if result.status == TaskResultStatus.SUCCESSFUL:
        messages.success(request, _("The report was issued."))
    elif result.status == TaskResultStatus.FAILED:
        messages.error(
            request, _("Issuing failed again. The error is recorded for the administrators.")
        )
    else:  # a worker backend will run it
        messages.info(request, _("Issuing has been queued."))
    return redirect(assessment.get_absolute_url())
