"""The locality's deadlines, read from its rules (`LocalityRule` rows, data): how many days
after submission a review falls due, and how long the 公示 period of each kind of matter
lasts by default. No rule in force (or a rule saying "not required"): no deadline — no
national default exists for either."""

from __future__ import annotations

import datetime

from ..models import Assessment, Unit
from .requirements import FILING_DUE_DAYS, REVIEW_DUE_DAYS, publicity_key
from .rules import rules_for


def days_rule(unit: Unit | None, mode: str, key: str) -> int | None:
    """The number of days the rule in force for (mode, key) gives, or None."""
    rule = rules_for(unit).get((mode or "simple", key))
    if rule is None or not rule.required or not rule.number:
        return None
    return rule.number


def filing_due_days(unit: Unit | None, mode: str) -> int | None:
    """Within how many days of issue a report of `unit` in `mode` is filed (备案): None when
    no rule sets one — there is no national default."""
    return days_rule(unit, mode, FILING_DUE_DAYS)


def review_due(assessment: Assessment, submitted_on: datetime.date) -> datetime.date | None:
    """When the review of an assessment submitted on `submitted_on` falls due."""
    days = days_rule(assessment.owner_unit, assessment.mode, REVIEW_DUE_DAYS)
    return submitted_on + datetime.timedelta(days=days) if days else None


def publicity_days(assessment: Assessment) -> int | None:
    """The default length, in days, of the assessment's 公示 period."""
    return days_rule(assessment.owner_unit, assessment.mode, publicity_key(assessment.matter_kind))


def publicity_end(assessment: Assessment, start: datetime.date) -> datetime.date | None:
    """The last day of a 公示 period of the default length starting on `start` (the start
    day counts as its first day)."""
    days = publicity_days(assessment)
    return start + datetime.timedelta(days=days - 1) if days else None
