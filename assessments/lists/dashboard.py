"""The dashboard's figures: how many assessments the user may see, by status, level, mode,
unit and month — read from the trigger-kept tallies (`models.tally`), a few hundred rows
whatever the number of assessments, with the same visibility as the lists — and what is
overdue among them (tracking records past their due date with nothing found recorded),
read through a partial index that holds only the open rows.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    NO_LEVEL,
    Assessment,
    AssessmentTally,
    Mode,
    RiskLevel,
    Status,
    TrackingRecord,
    Unit,
    visibility,
)
from ..models.access import access_of
from .filings import overdue_filings

MONTHS = 12
OVERDUE_SHOWN = 20


@dataclass(frozen=True)
class Series:
    """One chart and its table: (label, count) pairs in the order shown."""

    key: str
    title: str
    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(count for _label, count in self.rows)


@dataclass(frozen=True)
class Overdue:
    """One kind of overdue work: how many there are, and the longest overdue of them."""

    key: str
    title: str
    total: int
    rows: list[tuple[int, str, datetime.date]]  # (assessment id, its name, due date)
    anchor: str  # the part of the assessment's page where it is dealt with


@dataclass(frozen=True)
class Dashboard:
    total: int
    series: list[Series]
    overdue: list[Overdue]


def overdue_tracking(access, today: datetime.date) -> Overdue:
    """Tracking records of the visible assessments past their due date with nothing found
    recorded: two queries on the partial index `tracking_open_due` (found rows leave it)."""
    rows = TrackingRecord.objects.filter(
        findings="",
        due_date__lt=today,
        assessment__in=Assessment.objects.filter(visibility(access)).values("pk"),
    )
    return Overdue(
        "tracking",
        _("Overdue tracking"),
        rows.count(),
        list(
            rows.order_by("due_date", "pk").values_list(
                "assessment_id", "assessment__project_name", "due_date"
            )[:OVERDUE_SHOWN]
        ),
        "after-decision",
    )


def overdue_filing(access, today: datetime.date) -> Overdue:
    """Issued reports of the visible units not filed by their locality's deadline (none
    without a rule): the queries of `lists.filings.overdue_filings`."""
    late = overdue_filings(access.working_units | access.overseen, today)
    return Overdue(
        "filing",
        _("Overdue filings"),
        len(late),
        [(item.assessment_id, item.title, item.due_date) for item in late[:OVERDUE_SHOWN]],
        "filing",
    )


# Each kind of overdue work the dashboard lists: f(access, today) -> Overdue.
OVERDUE_KINDS = [overdue_tracking, overdue_filing]


def _months(today: datetime.date) -> list[datetime.date]:
    """The first days of the last MONTHS months, oldest first, this month last."""
    first = today.replace(day=1)
    months = []
    for _step in range(MONTHS):
        months.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return months[::-1]


def dashboard(user, today: datetime.date | None = None) -> Dashboard:
    """A fixed number of queries: the visible tallies, the names of their units and levels,
    and two for each kind of overdue work."""
    access = access_of(user)
    today = today or timezone.localdate()
    tallies = list(
        AssessmentTally.objects.filter(visibility(access, unit="unit_id"), count__gt=0)
        .values_list("unit_id", "month", "status", "mode", "level_id", "count")
        .order_by()
    )
    by = {key: Counter() for key in ("status", "level", "mode", "unit", "month")}
    for unit_id, month, status, mode, level_id, count in tallies:
        by["status"][status] += count
        by["level"][level_id] += count
        by["mode"][mode] += count
        by["unit"][unit_id] += count
        by["month"][month] += count
    levels = {level.pk: level for level in RiskLevel.objects.all()}
    units = dict(Unit.objects.filter(pk__in=list(by["unit"])).values_list("pk", "name"))
    series = [
        Series(
            "status",
            _("By status"),
            [(label, by["status"][value]) for value, label in Status.choices],
        ),
        Series(
            "level",
            _("By risk level"),
            [(level.display_name, by["level"][pk]) for pk, level in levels.items()]
            + [(_("Not yet determined"), by["level"][NO_LEVEL])],
        ),
        Series("mode", _("By mode"), [(label, by["mode"][value]) for value, label in Mode.choices]),
        Series(
            "unit",
            _("By unit"),
            sorted(
                ((units.get(pk, str(pk)), count) for pk, count in by["unit"].items()),
                key=lambda row: (-row[1], row[0]),
            ),
        ),
        Series(
            "month",
            _("Started per month"),
            [(month.strftime("%Y-%m"), by["month"][month]) for month in _months(today)],
        ),
    ]
    return Dashboard(
        total=sum(by["status"].values()),
        series=series,
        overdue=[kind(access, today) for kind in OVERDUE_KINDS],
    )
