"""A unit's own rules (what the assessments of its units must contain): set one, or reset
it to what the unit inherits. Every change is one audit row in the same transaction.

Only an administrator of a unit with units below it may set its rules; the national defaults
(no unit) are the operator's, in Django's admin.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import permissions
from ..content.requirements import BY_KEY
from ..models import AuditAction, LocalityRule, Unit
from .audit import audit_record
from .memberships import Refused


def _require_may_edit(actor, unit: Unit) -> None:
    if not permissions.can_administer_unit(actor, unit):
        raise PermissionDenied(f"unit {unit.pk} is not administered by {actor}")
    if not permissions.unit_has_children(unit):
        raise Refused(
            _("This unit has no units below it: it follows the rules it inherits."),
            reason=f"unit {unit.pk} has no children: its rules are inherited only",
        )


def _state(rule: LocalityRule | None) -> str:
    """A rule's setting in a few characters, for the audit row."""
    if rule is None:
        return "inherited"
    if not rule.required:
        return "not required"
    counted = BY_KEY.get(rule.key)
    return f"at least {rule.number}" if counted and counted.counted else "required"


@transaction.atomic
def unit_rule_set(
    *,
    actor,
    unit: Unit,
    mode: str,
    key: str,
    required: bool,
    number: int | None,
    source: str,
    request=None,
) -> bool:
    """Set the unit's own rule for (mode, key). Returns whether anything changed."""
    _require_may_edit(actor, unit)
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    before = LocalityRule.objects.filter(unit=locked, mode=mode, key=key).first()
    source = source.strip()
    number = number if required else None
    if before is not None and (before.required, before.number, before.source) == (
        required,
        number,
        source,
    ):
        return False
    rule = before or LocalityRule(unit=locked, mode=mode, key=key)
    old = _state(before)
    old_source = before.source if before else ""
    rule.required, rule.number, rule.source = required, number, source
    rule.updated_at = timezone.now()
    rule.full_clean()
    rule.save()
    audit_record(
        action=AuditAction.UNIT_CHANGED,
        user=actor,
        request=request,
        obj=locked,
        old_state=old[:30],
        new_state=_state(rule)[:30],
        detail=(
            f"unit {locked.name} (#{locked.pk}): rule {mode}/{key} {old} → {_state(rule)}; "
            f"source {old_source!r} → {source!r}"
        ),
    )
    return True


@transaction.atomic
def unit_rule_reset(*, actor, unit: Unit, mode: str, key: str, request=None) -> bool:
    """Drop the unit's own rule for (mode, key): it follows what it inherits again."""
    _require_may_edit(actor, unit)
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    before = LocalityRule.objects.filter(unit=locked, mode=mode, key=key).first()
    if before is None:
        return False
    before.delete()
    audit_record(
        action=AuditAction.UNIT_CHANGED,
        user=actor,
        request=request,
        obj=locked,
        old_state=_state(before)[:30],
        new_state="inherited",
        detail=(
            f"unit {locked.name} (#{locked.pk}): rule {mode}/{key} reset to inherited "
            f"(was {_state(before)}, source {before.source!r})"
        ),
    )
    return True
