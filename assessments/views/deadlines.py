"""An assessment's 公示 period (issue 18, point 2): a small form beside the detail page,
for the unit's assessors and clerks; the default length is the locality's rule."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import permissions
from ..content import deadlines
from ..forms.deadlines import PublicityForm
from ..models import Assessment
from ..services import publicity
from .access import deny, get_assessment_or_404


@require_http_methods(["GET", "POST"])
def publicity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_or_404(
        request, pk, queryset=Assessment.objects.select_related("owner_unit")
    )
    if not permissions.can_edit_publicity(request.user, assessment):
        raise deny(request, assessment, "edit the publicity period")
    default_days = deadlines.publicity_days(assessment)
    initial = {"start": assessment.publicity_start, "end": assessment.publicity_end}
    form = PublicityForm(request.POST or None, initial=initial, default_days=default_days)
    if request.method == "POST":
        if form.is_valid():
            changed = publicity.set_publicity(
                actor=request.user,
                assessment=assessment,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"] if form.cleaned_data["start"] else None,
                request=request,
            )
            if changed:
                messages.success(request, _("The publicity period was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect(assessment)
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
    return render(
        request,
        "assessments/publicity_form.html",
        {"assessment": assessment, "form": form, "default_days": default_days},
    )
