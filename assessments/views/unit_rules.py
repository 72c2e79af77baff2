"""A unit's rules in the product (issue 16): what its units' assessments must contain, each
requirement with the rule in force, its source and the unit that set it.

An administrator of a unit with units below it (a district office) sets the unit's own rule
for a requirement, tightening or loosening what it inherits, or resets it to the inherited
one; an administrator of a leaf unit sees the rules in force, read-only. Another unit's page
is a 404, as every unit page; an edit the user may not make is a 403; both audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import permissions
from ..content import PART_TITLES
from ..content.rules import RuleEntry, rule_entry, rule_table
from ..forms.units import UnitRuleForm
from ..models import AuditAction, Mode, Unit
from ..services import locality
from ..services.audit import audit_request_failure
from ..services.memberships import Refused
from .access import deny, unit_or_404


def _entry_or_404(unit: Unit, mode: str, key: str) -> RuleEntry:
    entry = rule_entry(unit, mode, key) if mode in Mode.values else None
    if entry is None:
        raise Http404
    return entry


def _editable_or_refuse(request: HttpRequest, unit: Unit) -> None:
    if not permissions.can_edit_unit_rules(request.user, unit):
        raise deny(request, unit, "edit the rules of a unit without units below it")


@require_GET
def unit_rules(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    table = rule_table(unit)
    modes = [
        {
            "label": label,
            "rows": [
                {"entry": e, "part": PART_TITLES[e.requirement.step]}
                for e in table
                if e.mode == mode
            ],
        }
        for mode, label in Mode.choices
    ]
    return render(
        request,
        "units/rules.html",
        {
            "unit": unit,
            "modes": modes,
            "can_edit": permissions.can_edit_unit_rules(request.user, unit),
        },
    )


@require_http_methods(["GET", "POST"])
def unit_rule_edit(request: HttpRequest, unit_id: int, mode: str, key: str) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    entry = _entry_or_404(unit, mode, key)
    _editable_or_refuse(request, unit)
    shown = entry.rule
    initial = (
        {"required": "1" if shown.required else "0", "number": shown.number}
        if shown is not None
        else {"required": "0"}
    )
    if entry.own:
        initial["source"] = shown.source
    form = UnitRuleForm(
        request.POST or None,
        initial=initial,
        counted=entry.requirement.counted,
        days=entry.requirement.days,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = locality.unit_rule_set(
                actor=request.user,
                unit=unit,
                mode=mode,
                key=key,
                required=form.cleaned_data["required"],
                number=form.cleaned_data.get("number"),
                source=form.cleaned_data["source"],
                request=request,
            )
        except Refused as refusal:
            audit_request_failure(request, AuditAction.REFUSED, unit, refusal.reason)
            messages.error(request, refusal.message)
        else:
            if changed:
                messages.success(
                    request,
                    _("The rule “%(rule)s” of %(unit)s was saved; it applies to the units below.")
                    % {"rule": entry.requirement.label, "unit": unit.name},
                )
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("units:rules", unit_id=unit.pk)
    if request.method == "POST":
        messages.error(request, _("Nothing was saved: please correct the marked fields."))
    return render(
        request,
        "units/rule_edit.html",
        {
            "unit": unit,
            "entry": entry,
            "mode_label": Mode(mode).label,
            "step_title": PART_TITLES[entry.requirement.step],
            "form": form,
        },
    )


@require_POST
def unit_rule_reset(request: HttpRequest, unit_id: int, mode: str, key: str) -> HttpResponse:
    unit = unit_or_404(request, unit_id)
    entry = _entry_or_404(unit, mode, key)
    _editable_or_refuse(request, unit)
    try:
        changed = locality.unit_rule_reset(
            actor=request.user, unit=unit, mode=mode, key=key, request=request
        )
    except Refused as refusal:
        audit_request_failure(request, AuditAction.REFUSED, unit, refusal.reason)
        messages.error(request, refusal.message)
    else:
        if changed:
            messages.success(
                request,
                _("The rule “%(rule)s” of %(unit)s follows the inherited rule again.")
                % {"rule": entry.requirement.label, "unit": unit.name},
            )
        else:
            messages.info(request, _("Nothing was changed."))
    return redirect("units:rules", unit_id=unit.pk)
