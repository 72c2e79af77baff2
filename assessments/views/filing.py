"""备案 (issue 18, point 1): the clerk files an issued report with the unit above; the
oversight there works it from its inbox (receive, written opinion, 审定, forward, or return);
the bureau sees where it stands on the assessment's page; both download the 报备表.

A filing the user may not see is a 404 (the probe audited), as another unit's assessment;
an act the user may not do is a 403; an act the filing's state refuses is a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions
from ..forms.filing import FilingForm, FilingTextForm
from ..lists import filings as filing_lists
from ..lists.pagination import keyset_page
from ..models import Assessment, AuditAction, Filing, FilingState, Status
from ..reports.filing_form import filing_form_pdf
from ..services import filing as filing_service
from ..services.audit import audit_record, audit_request_failure
from .access import deny, get_assessment_or_404
from .lists import _page_query

INBOX_PAGE_SIZE = 25


def filing_panel(user, assessment: Assessment) -> dict:
    """The assessment page's 备案 block: where the filing stands (which unit, which step,
    the opinions, the dates), its deadline, and whether the user may file. Four queries."""
    if assessment.status != Status.ISSUED:
        return {"filing_visible": False}
    if not (permissions.works_on(user, assessment) or permissions.oversees(user, assessment)):
        return {"filing_visible": False}
    filing = filing_lists.latest_filing(assessment)
    chain = filing_lists.chain_unit_ids(filing) if filing else frozenset()
    # The same rule as the filing's own pages: the unit's people, and the oversight of the
    # units the filing reached — not every unit above.
    if not permissions.can_see_filing(user, assessment, chain):
        return {"filing_visible": False}
    filed = filing is not None and filing.state != FilingState.RETURNED
    due = filing.due_date if filed else filing_lists.due_date_of(assessment)
    return {
        "filing_visible": True,
        "filing": filing,
        "filing_steps": filing_lists.steps_of(filing) if filing else [],
        "filing_due": due,
        "filing_overdue": bool(
            due
            and not filed
            and due < timezone.localdate()
            and assessment.owner_unit.parent_id is not None  # else it cannot be filed
        ),
        "filing_late": filed and filing.filed_late,
        "can_file": permissions.can_file(user, assessment)
        and not filed
        and assessment.owner_unit.parent_id is not None,
        "can_download_filing_form": filed and permissions.can_see_filing(user, assessment, chain),
        "can_act_on_filing": filed and permissions.can_act_on_filing(user, filing),
    }


def _filing_or_404(request: HttpRequest, filing_id: int) -> Filing:
    """The filing if the user may see it (the owning unit's staff, the oversight of the units
    it reached); 404 otherwise, the probe audited."""
    filing = (
        Filing.objects.select_related("assessment__owner_unit", "current_unit")
        .filter(pk=filing_id)
        .first()
    )
    if filing is None:
        raise Http404
    chain = filing_lists.chain_unit_ids(filing)
    if not permissions.can_see_filing(request.user, filing.assessment, chain):
        audit_request_failure(request, AuditAction.PERMISSION_DENIED, filing, "filing not visible")
        raise Http404
    return filing


@require_http_methods(["GET", "POST"])
def filing_new(request: HttpRequest, pk: int) -> HttpResponse:
    """File the issued report (报备), with what the 报备表 adds to the report."""
    assessment = get_assessment_or_404(request, pk)
    if not permissions.can_file(request.user, assessment):
        raise deny(request, assessment, "file the report")
    if assessment.status != Status.ISSUED:
        if request.method == "POST":
            audit_request_failure(
                request, AuditAction.REFUSED, assessment, f"filing while {assessment.status}"
            )
        messages.error(request, str(filing_service.NOT_ISSUED))
        return redirect(assessment)
    form = FilingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                filing_service.file_report(
                    assessment=assessment,
                    data=form.filing_data(),
                    actor=request.user,
                    request=request,
                )
            except filing_service.FilingRefused as refused:
                audit_request_failure(request, AuditAction.REFUSED, assessment, "filing refused")
                messages.error(request, str(refused.message))
                return redirect(assessment)
            messages.success(
                request,
                _("The report was filed with %(unit)s.") % {"unit": assessment.owner_unit.parent},
            )
            return redirect(f"{assessment.get_absolute_url()}#filing")
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
    return render(
        request,
        "assessments/filing_form.html",
        {"assessment": assessment, "form": form, "heading": _("File the report (报备)")},
    )


@require_GET
def filing_inbox(request: HttpRequest) -> HttpResponse:
    """The filings with the user's oversight units, most recently changed first."""
    units = permissions.filing_inbox_unit_ids(request.user)
    if not units:
        raise deny(request, None, "filing inbox")
    query, after, before = _page_query(request)
    page = keyset_page(
        filing_lists.inbox(units),
        filing_lists.INBOX_ORDER,
        rows=filing_lists.inbox_rows(),
        size=INBOX_PAGE_SIZE,
        after=after,
        before=before,
    )
    return render(request, "assessments/filing_inbox.html", {"page": page, "query": query})


ACTS = {
    "receive": (filing_service.receive, _("The filing was received.")),
    "approve": (filing_service.approve, _("The filing was approved (审定).")),
    "forward": (filing_service.forward, _("The filing was forwarded to the unit above.")),
}


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("assessments:filing_inbox"))


def _acting(request: HttpRequest, filing_id: int) -> Filing:
    filing = _filing_or_404(request, filing_id)
    if not permissions.can_act_on_filing(request.user, filing):
        raise deny(request, filing, "act on a filing with another unit")
    return filing


def _refused(request: HttpRequest, filing: Filing, refused) -> HttpResponse:
    audit_request_failure(request, AuditAction.REFUSED, filing, "filing step refused")
    messages.error(request, str(refused.message))
    return _back(request)


@require_POST
def filing_act(request: HttpRequest, filing_id: int, act: str) -> HttpResponse:
    """Receive, approve (审定) or forward: one button each in the inbox."""
    if act not in ACTS:
        raise Http404
    filing = _acting(request, filing_id)
    service, done = ACTS[act]
    try:
        service(filing=filing, actor=request.user, request=request)
    except filing_service.FilingRefused as refused:
        return _refused(request, filing, refused)
    messages.success(request, str(done))
    return _back(request)


@require_http_methods(["GET", "POST"])
def filing_text(request: HttpRequest, filing_id: int, act: str) -> HttpResponse:
    """The written opinion, or the reason for returning: a form, shown again with its error
    and the text kept."""
    if act not in ("opinion", "return"):
        raise Http404
    filing = _acting(request, filing_id)
    label = _("Written opinion") if act == "opinion" else _("Reason for returning")
    form = FilingTextForm(request.POST if request.method == "POST" else None, label=label)
    if request.method == "POST":
        if form.is_valid():
            text = form.cleaned_data["text"]
            try:
                if act == "opinion":
                    filing_service.record_opinion(
                        filing=filing, text=text, actor=request.user, request=request
                    )
                else:
                    filing_service.return_filing(
                        filing=filing, reason=text, actor=request.user, request=request
                    )
            except filing_service.FilingRefused as refused:
                return _refused(request, filing, refused)
            messages.success(
                request,
                _("The opinion was recorded.")
                if act == "opinion"
                else _("The filing was returned."),
            )
            return _back(request)
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
    heading = _("Record the written opinion") if act == "opinion" else _("Return the filing")
    return render(
        request,
        "assessments/filing_text.html",
        {"filing": filing, "assessment": filing.assessment, "form": form, "heading": heading},
    )


@require_GET
def filing_form_download(request: HttpRequest, filing_id: int) -> HttpResponse:
    """The 报备表 as PDF, rendered from the records as they stand now. Audited."""
    filing = _filing_or_404(request, filing_id)
    pdf = filing_form_pdf(filing)
    audit_record(
        action=AuditAction.DOWNLOAD,
        user=request.user,
        request=request,
        obj=filing,
        detail=f"filing form of assessment {filing.assessment_id}",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="filing-{filing.assessment_id}-{filing.pk}.pdf"'
    )
    return response
