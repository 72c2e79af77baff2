"""Which report outline a unit's reports follow, per mode (issue 16).

A unit administrator chooses it on the unit page; the units below inherit the choice unless
they choose their own (`content.outline.effective_outline`). Audited like every change to a
unit's settings, in the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..models import AuditAction, Mode, Outline, Unit, UnitOutline
from .audit import audit_record


@transaction.atomic
def unit_outline_choose(
    *, actor, unit: Unit, mode: str, outline: Outline | None, request=None
) -> bool:
    """Make `outline` the unit's outline for `mode`; None: inherit the parent's (or the
    default). Returns whether anything changed (nothing changed, nothing is recorded)."""
    if not permissions.can_administer_unit(actor, unit):
        raise PermissionDenied(f"unit {unit.pk} is not administered by {actor}")
    mode = Mode(mode)
    if outline is not None and outline.mode != mode:
        raise ValidationError({mode.value: _("This outline is written for the other mode.")})
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    current = UnitOutline.objects.filter(unit=locked, mode=mode).select_related("outline").first()
    before = current.outline if current else None
    if before == outline:
        return False
    if outline is None:
        current.delete()
    else:
        choice = current or UnitOutline(unit=locked, mode=mode)
        choice.outline = outline
        choice.full_clean(validate_unique=False)
        choice.save()
    audit_record(
        action=AuditAction.UNIT_CHANGED,
        user=actor,
        request=request,
        obj=locked,
        old_state=(before.code if before else "inherited")[:30],
        new_state=(outline.code if outline else "inherited")[:30],
        detail=f"unit {locked.pk}: report outline for {mode.value} "
        f"{before.code if before else 'inherited'} → {outline.code if outline else 'inherited'}",
    )
    return True


@transaction.atomic
def unit_outlines_choose(*, actor, unit: Unit, choices: dict[str, Outline | None], request=None):
    """Every mode's choice at once (the unit page's form): all are saved or none is.
    Returns whether anything changed."""
    changed = False
    for mode, outline in choices.items():
        changed |= unit_outline_choose(
            actor=actor, unit=unit, mode=mode, outline=outline, request=request
        )
    return changed
