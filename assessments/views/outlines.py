"""A unit administrator chooses the report outline of the unit's reports, per mode (issue 16).
The headings of each outline are shown beside the choice, as the report will print them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..content import effective_outline, outline_snapshot
from ..forms.outlines import UnitOutlineForm
from ..models import Mode, UnitOutline
from ..services import outlines
from .access import unit_or_404


@require_http_methods(["GET", "POST"])
def unit_outlines(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    chosen = {
        c.mode: c.outline for c in UnitOutline.objects.filter(unit=unit).select_related("outline")
    }
    inherited = {mode.value: effective_outline(unit.parent, mode) for mode in Mode}
    form = UnitOutlineForm(
        request.POST or None,
        inherited=inherited,
        initial={mode: outline.pk for mode, outline in chosen.items()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = outlines.unit_outlines_choose(
                actor=request.user,
                unit=unit,
                choices={mode.value: form.cleaned_data[mode.value] for mode in Mode},
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, _("The unit's report outlines were saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("units:outlines", unit_id=unit.pk)
    if request.method == "POST":
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
    shown = [
        {
            "mode": mode,
            "outline": outline_snapshot(chosen.get(mode.value) or inherited[mode.value]),
            "inherited": mode.value not in chosen,
        }
        for mode in Mode
    ]
    return render(
        request,
        "units/outlines.html",
        {"unit": unit, "form": form, "shown": shown},
    )
