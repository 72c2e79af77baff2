"""Mode rules (data: ModeThreshold): which project figures suggest a standard assessment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..models import Measure, ModeThreshold

# The environmental-assessment document as a number a threshold can compare, lightest first.
ENVIRONMENTAL_RANK = {"registration": 1, "report_form": 2, "report_book": 3}


@dataclass(frozen=True)
class Exceeded:
    """A project figure at or above the locality's threshold for standard mode."""

    measure: str
    label: str
    value: Any
    minimum: Decimal
    source: str


def mode_suggestion(thresholds: dict[str, Any], rules=None) -> list[Exceeded]:
    """The thresholds the project's figures reach; any one suggests standard mode."""
    rules = list(ModeThreshold.objects.all()) if rules is None else rules
    found = []
    for rule in rules:
        value = thresholds.get(rule.measure)
        if value in (None, ""):
            continue
        number = (
            ENVIRONMENTAL_RANK.get(value, 0)
            if rule.measure == Measure.ENVIRONMENT
            else Decimal(str(value))
        )
        if number >= rule.minimum:
            found.append(
                Exceeded(
                    rule.measure, str(rule.get_measure_display()), value, rule.minimum, rule.source
                )
            )
    return found


def mode_reason_required(*, mode: str, thresholds: dict[str, Any], reason: str, rules=None) -> bool:
    """The one rule for "the lighter mode against the suggestion needs a reason"."""
    if mode != "simple" or (reason or "").strip():
        return False
    return bool(mode_suggestion(thresholds, rules))
