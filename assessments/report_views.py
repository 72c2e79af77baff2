"""Issued reports: download (audited), retry of a failed issue, and public verification."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import issuing, permissions, signing
from .audit import audit_record
from .models import AuditAction, SignedReport, Status
from .views import deny


@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored, signed PDF — never a fresh render."""
    assessment = permissions.get_assessment_or_404(request, pk)
    if not permissions.can_download_report(request.user, assessment):
        if assessment.status != Status.ISSUED:
            raise Http404
        raise deny(request, assessment, "download")
    report = SignedReport.objects.only("pdf", "report_number", "sha256").get(assessment=assessment)
    audit_record(
        action=AuditAction.DOWNLOAD,
        user=request.user,
        request=request,
        obj=assessment,
        detail=f"{report.report_number} sha256={report.sha256}",
    )
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    filename = quote(f"{report.report_number}.pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@require_POST
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Try issuing again after a failure (administrators and the unit's reviewers)."""
    assessment = permissions.get_assessment_or_404(request, pk)
    if not permissions.can_retry_issue(request.user, assessment):
        raise deny(request, assessment, "retry issue")
    if assessment.status != Status.APPROVED:
        messages.warning(request, _("Only an approved, not yet issued assessment can be issued."))
        return redirect(assessment.get_absolute_url())
    result = issuing.issue_report_task.enqueue(assessment.pk)
    if result.status == TaskResultStatus.SUCCESSFUL:
        messages.success(request, _("The report was issued."))
    elif result.status == TaskResultStatus.FAILED:
        messages.error(
            request, _("Issuing failed again. The error is recorded for the administrators.")
        )
    else:  # a worker backend will run it
        messages.info(request, _("Issuing has been queued."))
    return redirect(assessment.get_absolute_url())


def _verify_upload(request: HttpRequest, report: SignedReport | None) -> dict:
    """Read an uploaded PDF in memory (never stored) and say what it is."""
    upload = request.FILES.get("pdf")
    if upload is None:
        return {"upload_error": _("Choose a PDF file to check.")}
    data = upload.read()
    digest = hashlib.sha256(data).hexdigest()
    matching = report if report is not None else SignedReport.objects.filter(sha256=digest).first()
    identical = matching is not None and matching.sha256 == digest
    verdict = _signature_verdict(data)
    return {
        "checked": True,
        "upload_name": upload.name,
        "upload_sha256": digest,
        "identical": identical,
        "matching_report": matching if identical else None,
        "verdict": verdict,
        "outcome": signing.upload_outcome(
            verdict,
            identical_to=matching.report_number if identical else None,
            expected=report.report_number if report is not None else None,
        ),
    }


def _signature_verdict(data: bytes) -> signing.Verdict:
    try:
        return signing.verify_pdf(data)
    except signing.SigningNotConfigured:
        return signing.Verdict(
            signed=False,
            checkable=False,
            problem=_("Signatures cannot be checked: no trusted root is configured."),
        )


@login_not_required
@csrf_exempt  # replaced by csrf_protect below, after the upload handlers are set
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str | None = None) -> HttpResponse:
    # Uploads are held in memory only: no temporary file on disk, and a size cap checked
    # before anything of the body is read.
    request.upload_handlers = [MemoryFileUploadHandler(request)]
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponseBadRequest()
    too_large = request.method == "POST" and length > settings.ZHOUCUN_VERIFY_UPLOAD_MAX_BYTES
    if too_large:
        return _render_verify(request, token, status=413, upload_error=_too_large_message())
    return _verify(request, token)


def _too_large_message() -> str:
    return _("The file is larger than %(mb)s MB.") % {
        "mb": settings.ZHOUCUN_VERIFY_UPLOAD_MAX_BYTES // 2**20
    }


@csrf_protect
def _verify(request: HttpRequest, token: str | None) -> HttpResponse:
    if request.method == "POST":
        return _render_verify(request, token, check_upload=True)
    return _render_verify(request, token)


def _render_verify(
    request: HttpRequest,
    token: str | None,
    *,
    status: int = 200,
    check_upload: bool = False,
    upload_error: str = "",
) -> HttpResponse:
    report = None
    if token is not None:
        # The public sees what proves the report, nothing of the internal review: no
        # staff names (the certificate's subject aside), no status history.
        report = (
            SignedReport.objects.select_related("assessment__owner_unit")
            .defer("pdf")
            .filter(verification_token=token)
            .first()
        )
        if report is None:
            raise Http404
    context = {
        "report": report,
        "max_mb": settings.ZHOUCUN_VERIFY_UPLOAD_MAX_BYTES // 2**20,
        "upload_error": upload_error,
    }
    if check_upload:
        context.update(_verify_upload(request, report))
    return render(request, "verify.html", context, status=status)
