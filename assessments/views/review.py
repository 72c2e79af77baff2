"""The review: the submitted version with what changed since the last return, and the
decisions (approve, return) on the version the reviewer read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import permissions
from ..content import upgrade
from ..diffs import version_diff
from ..forms.review import ApproveForm, ReturnForm
from ..issuing.tasks import approve_and_issue
from ..lists.history import review_history
from ..models import Assessment, Seal, Status
from ..reports.context import render_report_body
from ..services import workflow
from ..wizard.steps import marked_not_stated
from .access import deny, get_assessment_or_404
from .editing import STALE_PAGE


def _review_context(assessment: Assessment) -> dict:
    """The submitted version and what changed since the version last returned."""
    history = review_history(assessment)
    current = assessment.versions.order_by("-number").first()
    previous = history["latest_return"].version if history["latest_return"] else None
    changes = None
    if current and previous and previous.pk != current.pk:
        changes = version_diff(previous, current)
    return {
        **history,
        "version": current,
        "previous_version": previous if changes is not None else None,
        "changes": changes,
    }


def _render_review(
    request: HttpRequest,
    assessment: Assessment,
    *,
    approve_form: ApproveForm | None = None,
    return_form: ReturnForm | None = None,
) -> HttpResponse:
    if not permissions.can_open_review(request.user, assessment):
        raise deny(request, assessment, "review")
    context = _review_context(assessment)
    version = context["version"]
    initial = {"version": version.number} if version else {}
    can_review = permissions.can_review(request.user, assessment)
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "report_html": render_report_body(version.content, version.outline) if version else "",
            "evidence": upgrade(version.content)["standard"]["attachments"] if version else [],
            "not_stated": marked_not_stated(version.content) if version else [],
            "can_review": can_review,
            # Said here, where the reviewer decides, rather than by a failed issue later.
            "no_prefix_message": None
            if assessment.owner_unit.report_prefix
            else workflow.NO_PREFIX_MESSAGE,
            # Approving without a seal is allowed, but never without saying so: the signed
            # report's 落款 would have no seal image.
            "no_seal": can_review
            and not Seal.objects.filter(unit=assessment.owner_unit_id).exists(),
            "own_submission": not can_review
            and assessment.author_id == request.user.pk
            and assessment.status == Status.SUBMITTED,
            "approve_form": approve_form or ApproveForm(initial=initial, auto_id="approve-%s"),
            "return_form": return_form or ReturnForm(initial=initial),
            **context,
        },
    )


def _review_assessment(request: HttpRequest, pk: int) -> Assessment:
    return get_assessment_or_404(
        request, pk, queryset=Assessment.objects.select_related("owner_unit", "author")
    )


@require_GET
def assessment_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, _review_assessment(request, pk))


def _decide(request: HttpRequest, assessment: Assessment, decide, success: str, **kwargs):
    """Approve or return, on the version the reviewer read, then back to the review page."""
    try:
        decide(assessment=assessment, actor=request.user, request=request, **kwargs)
    except workflow.TransitionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, success)
    return redirect("assessments:review", pk=assessment.pk)


def _decision_form(request: HttpRequest, form_class, **kwargs):
    """The assessment and the bound decision form; a page that did not name the version it
    showed is out of date (the page always sends it)."""
    assessment = _review_assessment(request, kwargs.pop("pk"))
    if not permissions.can_open_review(request.user, assessment):
        raise deny(request, assessment, "review action")
    form = form_class(request.POST, **kwargs)
    if not form.is_valid() and set(form.errors) == {"version"}:
        messages.error(request, STALE_PAGE)
        return assessment, None
    return assessment, form


@require_POST
def assessment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, form = _decision_form(request, ApproveForm, pk=pk, auto_id="approve-%s")
    if form is None:
        return redirect("assessments:review", pk=pk)
    if not form.is_valid():
        # Refused, never cut: the reviewer keeps the page and shortens the comment.
        messages.error(request, _("Not approved: please correct the marked fields."))
        return _render_review(request, assessment, approve_form=form)
    return _decide(
        request,
        assessment,
        approve_and_issue,
        _("Approved."),
        comment=form.cleaned_data["comment"],
        expected_version=form.cleaned_data["version"],
    )


@require_POST
def assessment_return(request: HttpRequest, pk: int) -> HttpResponse:
    assessment, form = _decision_form(request, ReturnForm, pk=pk)
    if form is None:
        return redirect("assessments:review", pk=pk)
    if not form.is_valid():
        messages.error(request, _("Not returned: please correct the marked fields."))
        return _render_review(request, assessment, return_form=form)
    return _decide(
        request,
        assessment,
        workflow.assessment_return,
        _("Returned to the author with your comments."),
        comment=form.cleaned_data["comment"],
        expected_version=form.cleaned_data["version"],
    )
