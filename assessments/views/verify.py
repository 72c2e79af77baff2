"""The public verification page (DESIGN §6): anyone holding a report checks it is genuine.
No login; uploads are bounded in size, rate, concurrency, time and memory before and while
they are parsed (`reports.verify_bounds`), and never stored."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from ..common.addresses import client_ip
from ..common.files import looks_like_pdf
from ..models import SignedReport
from ..reports import pki, verify_bounds
from ..reports import verify as verification

logger = logging.getLogger(__name__)

DRAIN_LIMIT = 4 * 2**20  # bytes of a refused upload still read: issued reports are smaller


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
        "outcome": verification.upload_outcome(
            verdict,
            identical_to=matching.report_number if identical else None,
            expected=report.report_number if report is not None else None,
        ),
    }


def _signature_verdict(data: bytes) -> verification.Verdict:
    """The verdict on the file, parsed within the time and memory bounds."""
    try:
        roots = pki.trust_roots()
    except pki.SigningNotConfigured:
        return verification.Verdict(
            signed=False,
            checkable=False,
            problem=_("Signatures cannot be checked: no trusted root is configured."),
        )
    if not looks_like_pdf(data):
        return verification.Verdict(signed=False, readable=False)
    if not verify_bounds.xref_offset_plausible(data):
        # A startxref pointing into junk would send the parser searching for seconds.
        return verification.Verdict(signed=False, readable=False)
    try:
        return verify_bounds.verify_in_child(data, roots)
    except verify_bounds.CheckAborted as exc:
        logger.warning("Uploaded file not checked: %s (%s bytes)", exc.reason, len(data))
        return verification.Verdict(
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
