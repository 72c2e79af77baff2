"""The daily job on several machines at once: one run, one set of reminders. Real threads,
each with its own connection, on PostgreSQL (SQLite serialises all writers anyway)."""

import threading

import pytest
from django.db import connection, connections

from assessments.demo import ensure_risk_scheme
from assessments.models import DailyRun, LocalityRule, Notification, Role
from assessments.services import reminders, workflow
from tests.factories import complete_assessment, make_assessment, make_unit, make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions waiting on a unique index are exercised on PostgreSQL",
)

RUNS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_daily_runs_produce_one_set_of_reminders():
    ensure_risk_scheme()
    unit = make_unit()
    author = make_user("author", roles=[Role.ASSESSOR], units=[unit])
    for n in range(3):
        make_user(f"reviewer{n}", roles=[Role.REVIEWER], units=[unit])
    LocalityRule.objects.create(
        unit=unit, mode="simple", key="review_due_days", number=1, source="某区细则"
    )
    assessment = complete_assessment(make_assessment(unit=unit, author=author))
    workflow.assessment_submit(assessment=assessment, actor=author)
    assessment.refresh_from_db()
    day = assessment.review_due

    barrier = threading.Barrier(RUNS)
    results: list = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait()
            result = reminders.run_daily(day, host=f"machine{n}")
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results, key=lambda r: r is None) == [3, *([None] * (RUNS - 1))]
    assert Notification.objects.count() == 3
    assert DailyRun.objects.filter(day=day).count() == 1
