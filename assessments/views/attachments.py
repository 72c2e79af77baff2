"""Evidence attachments of standard assessments: upload and remove (while editable), and the
download, for members of the unit only, re-hashed and audited."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import permissions
from ..forms.evidence import AttachmentForm
from ..models import Attachment, AttachmentSection, AuditAction
from ..services import editing, evidence
from ..services.audit import audit_record, audit_request_failure
from .access import deny, edit_guard, get_assessment_or_404, not_editable

HASH = re.compile(r"[0-9a-f]{64}")
# Where each kind of evidence is uploaded, and so where the user goes back to.
SECTION_STEPS = {
    AttachmentSection.ACTIVITY: "consultation",
    AttachmentSection.EXPERT: "expert",
    AttachmentSection.DECISION: "decision",
    AttachmentSection.MATERIAL: "risks",
}


@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_or_404(request, pk)
    refusal = edit_guard(request, assessment)
    if refusal:
        return refusal
    form = AttachmentForm(request.POST, request.FILES, assessment=assessment)
    section = request.POST.get("section")
    step = SECTION_STEPS.get(section, "consultation")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, _("Not attached: %(error)s") % {"error": error})
        return redirect("assessments:step", pk=pk, step=step)
    try:
        evidence.attachment_add(
            assessment=assessment,
            actor=request.user,
            section=form.cleaned_data["section"],
            activity=form.cleaned_data["activity"],
            name=form.cleaned_data["file"].name,
            data=form.cleaned_data["data"],
            file_type=form.cleaned_data["type"],
            request=request,
        )
    except editing.NotEditable as frozen:
        return not_editable(request, frozen.current)
    messages.success(request, _("The file was attached."))
    return redirect("assessments:step", pk=pk, step=step)


@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    assessment = get_assessment_or_404(request, pk)
    refusal = edit_guard(request, assessment)
    if refusal:
        return refusal
    attachment = get_object_or_404(Attachment, pk=attachment_id, assessment=assessment)
    step = SECTION_STEPS[attachment.section]
    try:
        evidence.attachment_remove(attachment=attachment, actor=request.user, request=request)
    except editing.NotEditable as frozen:
        return not_editable(request, frozen.current)
    messages.success(request, _("The file was removed."))
    return redirect("assessments:step", pk=pk, step=step)


@require_GET
def attachment_download(request: HttpRequest, pk: int, sha256: str) -> HttpResponse:
    """A file the assessment has, or one of its versions froze, by its hash — served as a
    download only (never shown inline), after checking it is still what was stored."""
    if not HASH.fullmatch(sha256):
        raise Http404
    assessment = get_assessment_or_404(request, pk)
    if not permissions.can_download_attachment(request.user, assessment):
        raise deny(request, assessment, "attachment download")
    item = evidence.known_hashes(assessment).get(sha256)
    if item is None:
        raise Http404
    data = evidence.read_verified(sha256)
    if data is None:
        audit_request_failure(
            request, AuditAction.REFUSED, assessment, f"attachment {sha256} missing or altered"
        )
        raise Http404
    audit_record(
        action=AuditAction.DOWNLOAD,
        user=request.user,
        request=request,
        obj=assessment,
        detail=f"attachment {item['name']} sha256={sha256}",
    )
    response = HttpResponse(data, content_type=item["content_type"])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(item['name'])}"
    response["Content-Security-Policy"] = "sandbox"
    return response
