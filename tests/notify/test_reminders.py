"""The daily reminders: due soon and overdue, once per date, idempotent, mailed."""

import datetime
import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from assessments.issuing.daily import DailyJobs
from assessments.models import (
    DailyRun,
    LocalityRule,
    Notification,
    NotificationKind,
    Role,
    TrackingRecord,
)
from assessments.services import reminders, workflow
from tests.factories import complete_assessment, make_assessment, make_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 10)


@pytest.fixture
def people(unit):
    return {
        "author": make_user("alice", roles=[Role.ASSESSOR], units=[unit], email="a@example.cn"),
        "reviewer": make_user("bob", roles=[Role.REVIEWER], units=[unit], email="b@example.cn"),
        "nomail": make_user("rita", roles=[Role.REVIEWER], units=[unit]),
        "clerk": make_user("carol", roles=[Role.CLERK], units=[unit], email="c@example.cn"),
    }


@pytest.fixture
def submitted(unit, people, risk_scheme):
    LocalityRule.objects.create(
        unit=unit, mode="simple", key="review_due_days", number=5, source="某区细则第三条"
    )
    assessment = complete_assessment(make_assessment(unit=unit, author=people["author"]))
    workflow.assessment_submit(assessment=assessment, actor=people["author"])
    assessment.refresh_from_db()
    return assessment


def set_due(assessment, due):
    type(assessment).objects.filter(pk=assessment.pk).update(review_due=due)


def kinds():
    return sorted(Notification.objects.values_list("kind", "recipient__username", "day"))


def test_a_review_due_soon_reminds_the_reviewers_and_mails_who_has_an_address(
    submitted, people, django_capture_on_commit_callbacks
):
    set_due(submitted, DAY + datetime.timedelta(days=2))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        created = reminders.run_daily(DAY)

    due = DAY + datetime.timedelta(days=2)
    assert created == 2
    assert kinds() == [("due_soon", "bob", due), ("due_soon", "rita", due)]
    assert [m.to for m in mail.outbox] == [["b@example.cn"]]
    assert "即将到期" in mail.outbox[0].subject
    assert "审核" in mail.outbox[0].body and due.isoformat() in mail.outbox[0].body


def test_an_overdue_review_is_overdue_and_far_ones_are_not_mentioned(submitted, people):
    set_due(submitted, DAY - datetime.timedelta(days=1))
    assert reminders.run_daily(DAY) == 2
    assert {kind for kind, _who, _day in kinds()} == {NotificationKind.OVERDUE}

    Notification.objects.all().delete()
    set_due(submitted, DAY + datetime.timedelta(days=30))
    assert reminders.run_daily(DAY + datetime.timedelta(days=1)) == 0


def test_the_job_runs_once_per_date_and_tells_nobody_twice(submitted, people):
    set_due(submitted, DAY + datetime.timedelta(days=1))

    assert reminders.run_daily(DAY) == 2
    assert reminders.run_daily(DAY) is None  # that date ran
    # The next day it runs again, but the same due date is not told again.
    assert reminders.run_daily(DAY + datetime.timedelta(days=1)) == 0
    assert Notification.objects.count() == 2
    assert DailyRun.objects.filter(job=reminders.JOB).count() == 2
    # Past its due date it becomes overdue: told once more, as overdue.
    assert reminders.run_daily(DAY + datetime.timedelta(days=2)) == 2
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == 2


def test_a_reviewed_assessment_is_no_longer_reminded(submitted, people):
    set_due(submitted, DAY)
    workflow.assessment_return(assessment=submitted, actor=people["reviewer"], comment="改")
    Notification.objects.all().delete()

    assert reminders.run_daily(DAY) == 0


def test_open_tracking_records_remind_the_units_staff(issued_with_tracking, people):
    record = issued_with_tracking
    # The unit's assessors and clerks; who recorded it (the clerk) is told once.
    assert reminders.run_daily(DAY) == 2

    assert sorted(who for _kind, who, _day in kinds()) == ["alice", "carol"]
    rows = Notification.objects.filter(key=f"tracking:{record.pk}")
    assert {row.kind for row in rows} == {NotificationKind.OVERDUE}

    # Findings recorded: the record is done, no reminder the next day.
    TrackingRecord.objects.filter(pk=record.pk).update(findings="已落实")
    Notification.objects.all().delete()
    assert reminders.run_daily(DAY + datetime.timedelta(days=1)) == 0


@pytest.fixture
def issued_with_tracking(unit, people, risk_scheme):
    from assessments.issuing.tasks import approve_and_issue

    assessment = complete_assessment(make_assessment(unit=unit, author=people["author"]))
    workflow.assessment_submit(assessment=assessment, actor=people["author"])
    approve_and_issue(assessment=assessment, actor=people["reviewer"])
    Notification.objects.all().delete()
    return TrackingRecord.objects.create(
        assessment=assessment,
        due_date=DAY - datetime.timedelta(days=3),
        tracked_by="甲",
        created_by=people["clerk"],
    )


def test_a_registered_source_is_reminded_too(people, unit, risk_scheme, monkeypatch):
    draft = make_assessment(unit=unit, author=people["author"])
    monkeypatch.setattr(reminders, "DUE_SOURCES", list(reminders.DUE_SOURCES))

    @reminders.register
    def filings(today, horizon):
        yield reminders.Due("filing", "filing:7", today, draft, [people["clerk"]])

    assert reminders.run_daily(DAY) == 1
    row = Notification.objects.get()
    assert (row.kind, row.key, row.params["what"]) == ("due_soon", "filing:7", "filing")


def test_the_command_says_what_it_did(submitted):
    set_due(submitted, DAY)
    out = io.StringIO()
    call_command("daily_reminders", "--date", DAY.isoformat(), stdout=out)
    call_command("daily_reminders", "--date", DAY.isoformat(), stdout=out)

    assert "2 reminder(s) created." in out.getvalue()
    assert "ran already" in out.getvalue()


def test_the_command_refuses_a_bad_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("daily_reminders", "--date", "12/10/2026")


@override_settings(ZHOUCUN_REMINDERS_HOUR=7)
def test_the_worker_waits_for_the_hour_then_runs_once(monkeypatch):
    started = []
    jobs = DailyJobs("w1")
    monkeypatch.setattr(jobs, "_run", lambda today: started.append(today))
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    early = datetime.datetime(2026, 12, 10, 6, 59, tzinfo=shanghai)

    assert jobs.poll(early) is None
    assert started == []

    late = datetime.datetime(2026, 12, 10, 8, 30, tzinfo=shanghai)
    thread = jobs.poll(late)
    thread.join(5)
    assert started == [datetime.date(2026, 12, 10)]

    DailyRun.objects.create(job=reminders.JOB, day=datetime.date(2026, 12, 10))
    assert jobs.poll(late) is None  # done: found, not started again
    assert jobs.done_for == datetime.date(2026, 12, 10)
    assert jobs.poll(late) is None
    assert started == [datetime.date(2026, 12, 10)]
