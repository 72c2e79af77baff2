"""After the decision (issue 18, point 3): tracking records and post-evaluations of an
issued assessment. The staff of the owning unit add and edit them; the oversight of the
units above reads them on the detail page; another unit's assessment is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..forms.tracking import PostEvaluationForm, TrackingForm
from ..lists.tracking import tracking_panel
from ..models import Assessment, AuditAction, PostEvaluation, TrackingRecord
from ..services import tracking
from ..services.audit import audit_request_failure
from .access import deny, get_assessment_or_404


def after_decision(user, assessment: Assessment) -> dict:
    """The detail page's tracking panel, for who may see it."""
    if not permissions.can_see_tracking(user, assessment):
        return {"tracking_visible": False}
    return {
        "tracking_visible": True,
        "can_record_tracking": permissions.can_record_tracking(user, assessment),
        **tracking_panel(assessment, timezone.localdate()),
    }


def _guard(request: HttpRequest, assessment: Assessment) -> HttpResponse | None:
    """None if the user may write tracking now; a 403 for who only reads; a message and the
    detail page while the assessment is not issued."""
    if not permissions.can_record_tracking(request.user, assessment):
        raise deny(request, assessment, "record tracking")
    refused = tracking.refusal(assessment)
    if refused is not None:
        if request.method == "POST":
            audit_request_failure(
                request, AuditAction.REFUSED, assessment, f"tracking while {assessment.status}"
            )
        messages.error(request, str(refused))
        return redirect(assessment.get_absolute_url())
    return None


def _refused(request: HttpRequest, assessment: Assessment, refusal) -> HttpResponse:
    audit_request_failure(request, AuditAction.REFUSED, assessment, "tracking refused")
    messages.error(request, str(refusal.message))
    return redirect(assessment.get_absolute_url())


def _edit(request: HttpRequest, assessment: Assessment, form, save, saved: str, heading: str):
    """One form of the tracking panel: saved through `save(form)` (a tracking service), or
    shown again with its errors and the user's input; a refusal goes back to the detail."""
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form)
            except tracking.TrackingRefused as refused:
                return _refused(request, assessment, refused)
            messages.success(request, saved)
            return redirect(f"{assessment.get_absolute_url()}#after-decision")
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
    return render(
        request,
        "assessments/tracking_form.html",
        {"assessment": assessment, "form": form, "heading": heading},
    )


@require_http_methods(["GET", "POST"])
def tracking_edit(request: HttpRequest, pk: int, record_id: int | None = None) -> HttpResponse:
    assessment = get_assessment_or_404(request, pk)
    refusal = _guard(request, assessment)
    if refusal:
        return refusal
    record = (
        get_object_or_404(TrackingRecord, pk=record_id, assessment=assessment)
        if record_id
        else None
    )
    form = TrackingForm(
        request.POST or None,
        instance=record,
        risk_points=assessment.risk_points.order_by("order"),
    )
    return _edit(
        request,
        assessment,
        form,
        lambda form: tracking.tracking_save(
            assessment=assessment,
            record=record,
            data=form.record_data(),
            measures=form.measures(),
            actor=request.user,
            request=request,
        ),
        saved=_("The tracking record was saved."),
        heading=_("Edit tracking record") if record else _("New tracking record"),
    )


@require_http_methods(["GET", "POST"])
def post_evaluation_edit(
    request: HttpRequest, pk: int, evaluation_id: int | None = None
) -> HttpResponse:
    assessment = get_assessment_or_404(request, pk)
    refusal = _guard(request, assessment)
    if refusal:
        return refusal
    evaluation = (
        get_object_or_404(PostEvaluation, pk=evaluation_id, assessment=assessment)
        if evaluation_id
        else None
    )
    form = PostEvaluationForm(request.POST or None, instance=evaluation)
    return _edit(
        request,
        assessment,
        form,
        lambda form: tracking.post_evaluation_save(
            assessment=assessment,
            evaluation=evaluation,
            data=form.evaluation_data(),
            actor=request.user,
            request=request,
        ),
        saved=_("The post-evaluation was saved."),
        heading=_("Edit post-evaluation") if evaluation else _("New post-evaluation"),
    )
