"""备案's reads (issue 18, point 1): the oversight unit's inbox, a filing's standing as the
bureau sees it, and the reports whose filing is overdue — for the daily reminder job and the
dashboard (`overdue_filings`).

The deadline is a locality's rule (`filing_due_days`, inherited down the unit tree); with
no rule in force a report has no filing deadline and is never overdue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from operator import attrgetter

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from ..content.deadlines import filing_due_days
from ..content.locality import lineages, nearest
from ..content.requirements import FILING_DUE_DAYS
from ..models import (
    Assessment,
    Filing,
    FilingAction,
    FilingState,
    FilingStep,
    LocalityRule,
    Status,
    filing_due_date,
)
from .pagination import Order

# The inbox: the most recently changed first; served by the index filing_inbox.
INBOX_ORDER = Order((("updated_at", True, "datetime"), ("id", True, "int")))


def inbox(unit_ids) -> QuerySet:
    """The filings with the given units now, returned ones left out."""
    return Filing.objects.filter(current_unit_id__in=sorted(unit_ids)).exclude(
        state=FilingState.RETURNED
    )


def inbox_rows() -> QuerySet:
    """The columns the inbox shows, with the unit's latest written opinion, in one query."""
    latest_opinion = FilingStep.objects.filter(
        filing=OuterRef("pk"), unit=OuterRef("current_unit"), action=FilingAction.OPINION
    ).order_by("-id")
    return Filing.objects.select_related(
        "assessment__owner_unit", "assessment__risk_level", "assessment__signed_report"
    ).annotate(opinion_text=Subquery(latest_opinion.values("text")[:1]))


def active_filing(assessment: Assessment) -> Filing | None:
    """The assessment's filing that is not returned, if any."""
    return (
        Filing.objects.filter(assessment=assessment)
        .exclude(state=FilingState.RETURNED)
        .select_related("current_unit")
        .first()
    )


def latest_filing(assessment: Assessment) -> Filing | None:
    """The active filing, else the last returned one (to say why it came back)."""
    return active_filing(assessment) or (
        Filing.objects.filter(assessment=assessment)
        .select_related("current_unit")
        .order_by("-filed_at", "-id")
        .first()
    )


def steps_of(filing: Filing) -> list[FilingStep]:
    return list(filing.steps.select_related("unit", "user").order_by("created_at", "id"))


def chain_unit_ids(filing: Filing) -> frozenset[int]:
    """The oversight units the filing has reached: where it is and every unit that acted."""
    acted = FilingStep.objects.filter(filing=filing).values_list("unit_id", flat=True)
    return frozenset({filing.current_unit_id, *acted}) - {filing.assessment.owner_unit_id}


# --- the deadline ------------------------------------------------------------------------


def issued_on(assessment: Assessment) -> datetime.date | None:
    report = getattr(assessment, "signed_report", None)
    return timezone.localdate(report.signed_at) if report is not None else None


def _days_in_force(unit_ids) -> dict[tuple[int, str], int]:
    """The filing deadline in days for each (unit, mode), by the nearest unit's rule, else
    the national one (`content.locality`): two queries for any number of units."""
    rules = list(LocalityRule.objects.filter(key=FILING_DUE_DAYS))
    if not rules:
        return {}
    found = {}
    for unit_id, chain in lineages(unit_ids).items():
        chosen = nearest(rules, None, key=attrgetter("mode"), lineage_ids=chain)
        for mode, rule in chosen.items():
            if rule.required and rule.number:
                found[unit_id, mode] = rule.number
    return found


@dataclass(frozen=True)
class OverdueFiling:
    """An issued report not filed by its deadline."""

    assessment_id: int
    title: str
    unit_id: int
    due_date: datetime.date


def overdue_filings(unit_ids, today: datetime.date | None = None) -> list[OverdueFiling]:
    """The issued reports of `unit_ids` (their owner units) that are not filed — no filing,
    or only returned ones — although their deadline has passed, oldest first: one query for
    the reports whatever their number, two for the rules."""
    today = today or timezone.localdate()
    days = _days_in_force(set(unit_ids))
    if not days:
        return []
    by_days: dict[tuple[int, str], list[int]] = {}
    for (unit, mode), number in days.items():
        by_days.setdefault((number, mode), []).append(unit)
    tz = timezone.get_current_timezone()
    condition = Q(pk__in=[])
    for (number, mode), units in by_days.items():
        # Due the `number`th day after the day of issue: overdue from the day after that.
        last_issue_day = today - datetime.timedelta(days=number)
        cutoff = datetime.datetime.combine(last_issue_day, datetime.time.min, tzinfo=tz)
        condition |= Q(
            owner_unit_id__in=sorted(units), mode=mode, signed_report__signed_at__lt=cutoff
        )
    active = Filing.objects.filter(assessment=OuterRef("pk")).exclude(state=FilingState.RETURNED)
    rows = (
        # A unit with no unit above cannot file (the service refuses): never overdue.
        Assessment.objects.filter(condition, status=Status.ISSUED, owner_unit__parent__isnull=False)
        .filter(~Exists(active))
        .order_by("signed_report__signed_at", "id")
        .values_list("pk", "title", "owner_unit_id", "mode", "signed_report__signed_at")
    )
    return [
        OverdueFiling(
            assessment_id=pk,
            title=title,
            unit_id=unit,
            due_date=timezone.localdate(signed_at) + datetime.timedelta(days=days[unit, mode]),
        )
        for pk, title, unit, mode, signed_at in rows
    ]


def due_date_of(assessment: Assessment) -> datetime.date | None:
    """The day the issued assessment is to be filed by, under the rule in force now (None:
    no deadline set, or not issued)."""
    issued = issued_on(assessment)
    days = filing_due_days(assessment.owner_unit, assessment.mode)
    return filing_due_date(issued, days) if issued else None
