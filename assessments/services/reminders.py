"""The daily reminders (issue 18, point 2): "due soon" and "overdue" notifications for what
falls due — reviews, tracking records, filings (备案) and, through `register`, anything
else with a due date. What is overdue is told to the oversight unit above as well.

`run_daily` runs exactly once per date however many workers and machines try: it inserts the
date's `DailyRun` row in its own transaction and does the work in the same one. A second
run on PostgreSQL waits on the row's unique index until the first commits and then finds
the date done (or, if the first failed and rolled back, does the work itself); on SQLite the
database's write lock orders them the same way. Each reminder is also unique per recipient,
kind, object and due date, so even a forced second run tells nobody twice.
"""

from __future__ import annotations

import datetime
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..lists.filings import overdue_filings
from ..models import Assessment, DailyRun, NotificationKind, Role, Status, TrackingRecord, Unit
from .notifications import notify, unit_people

JOB = "daily_reminders"


@dataclass
class Due:
    """One thing that falls due: what (a key of `notifications.SUBJECTS`), a key naming the
    object ("tracking:12"), its due date, its assessment and who is to be reminded."""

    what: str
    key: str
    due: datetime.date
    assessment: Assessment
    recipients: list = field(default_factory=list)


# A source of due things: (today, horizon) → everything not yet done that falls due on or
# before the horizon (overdue ones included).
DueSource = Callable[[datetime.date, datetime.date], Iterable[Due]]
DUE_SOURCES: list[DueSource] = []


def register(source: DueSource) -> DueSource:
    """Add a source of due things to the daily job (usable as a decorator)."""
    DUE_SOURCES.append(source)
    return source


class _People:
    """The members of a unit by role, read once per unit and run."""

    def __init__(self) -> None:
        self.found: dict[tuple[int, tuple[str, ...]], list] = {}

    def __call__(self, unit_id: int, *roles: str) -> list:
        key = (unit_id, roles)
        if key not in self.found:
            self.found[key] = list(unit_people(unit_id, roles))
        return self.found[key]


@register
def reviews_due(today: datetime.date, horizon: datetime.date) -> Iterable[Due]:
    """Submitted assessments whose review falls due (the locality's rule set the date at
    submission): the reviewers of the unit are reminded."""
    people = _People()
    submitted = Assessment.objects.filter(status=Status.SUBMITTED, review_due__lte=horizon)
    for assessment in submitted.order_by("review_due", "id").iterator(chunk_size=500):
        reviewers = [
            user
            for user in people(assessment.owner_unit_id, Role.REVIEWER)
            if user.pk != assessment.author_id
        ]
        yield Due("review", f"review:{assessment.pk}", assessment.review_due, assessment, reviewers)


def _oversight_above(people: _People, assessment: Assessment) -> list:
    """The oversight of the unit above the assessment's: told of work overdue below it."""
    parent = assessment.owner_unit.parent_id
    return people(parent, Role.OVERSIGHT) if parent is not None else []


@register
def tracking_due(today: datetime.date, horizon: datetime.date) -> Iterable[Due]:
    """Tracking records with nothing found recorded yet whose due date is near or past: the
    unit's assessors and clerks and whoever recorded it are reminded; once overdue, the
    oversight of the unit above too (it reads the tracking)."""
    people = _People()
    records = (
        TrackingRecord.objects.filter(due_date__lte=horizon, findings="")
        .select_related("assessment__owner_unit", "created_by")
        .order_by("due_date", "id")
    )
    for record in records.iterator(chunk_size=500):
        staff = people(record.assessment.owner_unit_id, Role.ASSESSOR, Role.CLERK)
        recipients = [*staff, record.created_by]
        if record.due_date < today:
            recipients += _oversight_above(people, record.assessment)
        yield Due(
            "tracking", f"tracking:{record.pk}", record.due_date, record.assessment, recipients
        )


@register
def filing_due(today: datetime.date, horizon: datetime.date) -> Iterable[Due]:
    """Issued reports not filed (备案) whose deadline — a locality's rule, none by default —
    is near or past: the unit's clerks are reminded; once overdue, the oversight unit above,
    which the report is to be filed with, too."""
    people = _People()
    late = overdue_filings(
        Unit.objects.values_list("pk", flat=True), horizon + datetime.timedelta(days=1)
    )
    assessments = Assessment.objects.select_related("owner_unit").in_bulk(
        [item.assessment_id for item in late]
    )
    for item in late:
        assessment = assessments[item.assessment_id]
        recipients = list(people(assessment.owner_unit_id, Role.CLERK))
        if item.due_date < today:
            recipients += _oversight_above(people, assessment)
        yield Due("filing", f"filing:{assessment.pk}", item.due_date, assessment, recipients)


def send_reminders(today: datetime.date) -> int:
    """Create the day's reminders (and their e-mails); returns how many were created."""
    horizon = today + datetime.timedelta(days=settings.ZHOUCUN_REMINDER_DAYS)
    created = 0
    for source in DUE_SOURCES:
        for item in source(today, horizon):
            kind = NotificationKind.OVERDUE if item.due < today else NotificationKind.DUE_SOON
            title = item.assessment.title or item.assessment.project_name
            created += len(
                notify(
                    item.recipients,
                    kind,
                    assessment=item.assessment,
                    params={"what": item.what, "title": title, "due": item.due.isoformat()},
                    key=item.key,
                    day=item.due,
                )
            )
    return created


def ran_on(day: datetime.date) -> bool:
    return DailyRun.objects.filter(job=JOB, day=day).exists()


def run_daily(day: datetime.date | None = None, *, host: str = "") -> int | None:
    """Run the reminders for `day` (today) unless they ran already: the number created, or
    None when another run has it."""
    day = day or timezone.localdate()
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                run = DailyRun.objects.create(
                    job=JOB, day=day, host=(host or socket.gethostname())[:255]
                )
        except IntegrityError:
            return None
        run.created = send_reminders(day)
        run.save(update_fields=["created"])
    return run.created
