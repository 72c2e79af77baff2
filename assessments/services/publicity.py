"""The 公示 period of an assessment: set or cleared by the unit's staff, audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import permissions
from ..models import Assessment, AuditAction
from .audit import audit_record


def _shown(start: datetime.date | None, end: datetime.date | None) -> str:
    return f"{start:%Y-%m-%d}–{end:%Y-%m-%d}" if start and end else "none"


@transaction.atomic
def set_publicity(
    *,
    actor,
    assessment: Assessment,
    start: datetime.date | None,
    end: datetime.date | None,
    request=None,
) -> bool:
    """Set the period (both None: no period). Returns whether anything changed."""
    if not permissions.can_edit_publicity(actor, assessment):
        raise PermissionDenied(f"publicity of assessment {assessment.pk} by {actor}")
    if (start is None) != (end is None) or (start and end and end < start):
        raise ValueError("a publicity period needs a start and an end not before it")
    locked = Assessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    before = _shown(locked.publicity_start, locked.publicity_end)
    if (locked.publicity_start, locked.publicity_end) == (start, end):
        return False
    locked.publicity_start, locked.publicity_end = start, end
    # Not content: the edit version (lock_version) of the wizard stays as it is.
    locked.save(update_fields=["publicity_start", "publicity_end", "updated_at"])
    audit_record(
        action=AuditAction.EDIT,
        user=actor,
        request=request,
        obj=locked,
        old_state=locked.status,
        new_state=locked.status,
        detail=f"publicity {before} → {_shown(start, end)}",
    )
    assessment.publicity_start, assessment.publicity_end = start, end
    return True
