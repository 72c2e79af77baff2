"""Two reviewers acting at once: exactly one wins. Real threads, real row locks."""

import threading

import pytest
from django.db import connection, connections

from assessments.demo import ensure_risk_scheme
from assessments.issuing.tasks import approve_and_issue
from assessments.models import AuditAction, AuditEvent, ReviewEvent, Role, SignedReport, Status
from assessments.services import workflow
from tests.factories import complete_assessment, make_assessment, make_unit, make_user

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) are exercised on PostgreSQL; SQLite serialises writes",
)

ATTEMPTS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_give_exactly_one_transition():
    ensure_risk_scheme()
    unit = make_unit()
    author = make_user("author", roles=[Role.ASSESSOR], units=[unit])
    reviewers = [
        make_user(f"reviewer{n}", roles=[Role.REVIEWER], units=[unit]) for n in range(ATTEMPTS)
    ]
    assessment = complete_assessment(make_assessment(unit=unit, author=author))
    workflow.assessment_submit(assessment=assessment, actor=author)

    barrier = threading.Barrier(ATTEMPTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(reviewer):
        try:
            barrier.wait()
            approve_and_issue(assessment=assessment, actor=reviewer)
            result = "approved"
        except workflow.TransitionRefused as refusal:
            result = f"refused: {refusal}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assessment.refresh_from_db()
    assert len(outcomes) == ATTEMPTS
    assert outcomes.count("approved") == 1
    refusals = [o for o in outcomes if o != "approved"]
    assert len(refusals) == ATTEMPTS - 1
    # Each loser is told the assessment was already decided (approved, or by then issued).
    assert all("可能已被他人处理" in o for o in refusals), refusals[:3]
    assert all(("已批准" in o) or ("已签发" in o) for o in refusals), refusals[:3]
    # The single approval went on to issue the signed report, once.
    assert assessment.status == Status.ISSUED
    assert ReviewEvent.objects.filter(assessment=assessment, to_status=Status.APPROVED).count() == 1
    assert SignedReport.objects.filter(assessment=assessment).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.REFUSED).count() == ATTEMPTS - 1
