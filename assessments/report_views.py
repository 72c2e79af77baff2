"""Issued reports: download (audited), issuing status and retry, and public verification."""

from __future__ import annotations

import hashlib
import logging
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

from . import issuing, permissions, signing, storage, verify_bounds
from .audit import audit_record, client_ip
from .models import AuditAction, SignedReport, Status
from .views import deny

logger = logging.getLogger(__name__)

DRAIN_LIMIT = 4 * 2**20  # bytes of a refused upload still read: issued reports are smaller


@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored, signed PDF — never a fresh render, and only if it still hashes to its row."""
    assessment = permissions.get_assessment_or_404(request, pk)
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
def issue_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed report / issuing panel of the detail page, polled by htmx while issuing."""
    assessment = permissions.get_assessment_or_404(request, pk)
    try:
        polls = max(0, int(request.GET.get("polls", "0")))
    except ValueError:
        polls = 0
    context = issuing.issue_panel(request.user, assessment, polls=polls)
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
    """The verdict on the file, parsed within the time and memory bounds."""
    try:
        roots = signing.trust_roots()
    except signing.SigningNotConfigured:
        return signing.Verdict(
            signed=False,
            checkable=False,
            problem=_("Signatures cannot be checked: no trusted root is configured."),
        )
    if not verify_bounds.looks_like_pdf(data):
        return signing.Verdict(signed=False, readable=False)
    if not verify_bounds.xref_offset_plausible(data):
        # A startxref pointing into junk would send the parser searching for seconds.
        return signing.Verdict(signed=False, readable=False)
    try:
        return verify_bounds.verify_in_child(data, roots)
    except verify_bounds.CheckAborted as exc:
        logger.warning("Uploaded file not checked: %s (%s bytes)", exc.reason, len(data))
        return signing.Verdict(
            signed=False,
            checkable=False,
            problem=_(
                "The file could not be checked within %(seconds)s seconds and %(mb)s MB "
                "of memory. A report issued by this system is checked in well under a "
                "second."
            )
            % {
                "seconds": settings.ZHOUCUN_VERIFY_TIMEOUT_SECONDS,
                "mb": settings.ZHOUCUN_VERIFY_MEMORY_MB,
            },
        )


def _busy_message() -> str:
    return _("Too many files are being checked right now. Please try again in a minute.")


def _rate_message() -> str:
    return _(
        "At most %(n)s files a minute can be checked from one address. "
        "Please try again in a minute."
    ) % {"n": settings.ZHOUCUN_VERIFY_RATE_PER_MINUTE}


@login_not_required
@csrf_exempt  # replaced by csrf_protect below, after the upload handlers are set
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str | None = None) -> HttpResponse:
    # Uploads are held in memory only: no temporary file on disk, and a size cap checked
    # before anything of the body is read.
    request.upload_handlers = [MemoryFileUploadHandler(request)]
    if request.method != "POST":
        return _verify(request, token)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return HttpResponseBadRequest()
    if length > settings.ZHOUCUN_VERIFY_UPLOAD_MAX_BYTES:
        return _render_verify(request, token, status=413, upload_error=_too_large_message())
    if not verify_bounds.upload_allowed(client_ip(request)):
        return _refuse_unread(request, token, 429, _rate_message(), retry_after=60)
    # The slot covers reading, parsing the form and checking the file, so uploads can never
    # occupy more than ZHOUCUN_VERIFY_CONCURRENCY web workers of this machine.
    with verify_bounds.verification_slot() as acquired:
        if not acquired:
            return _refuse_unread(request, token, 503, _busy_message(), retry_after=30)
        return _verify(request, token)


def _refuse_unread(request, token, status: int, message: str, *, retry_after: int):
    """Refuse an upload without parsing it.

    A body the size of a real report is read and dropped, so that a browser talking to
    gunicorn directly shows the page with the message rather than a reset connection. A
    larger one is left unread and answered in plain text, as cheaply as can be: draining
    20 MB and rendering the page for every refusal kept the workers busy during a flood.
    Behind nginx, which buffers the whole body before passing it on, the browser gets the
    answer either way.
    """
    if int(request.META.get("CONTENT_LENGTH") or 0) <= DRAIN_LIMIT:
        while request.read(1 << 20):
            pass
        response = _render_verify(request, token, status=status, upload_error=message)
    else:
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    return response


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
