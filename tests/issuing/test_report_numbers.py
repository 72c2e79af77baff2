"""Report numbers per unit and year with the unit's own prefix, said where the reviewer
decides, taken at approval and carried by the issued report."""

import pytest
from django.urls import reverse

from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.models import (
    AuditAction,
    AuditEvent,
    ReportCounter,
    ReportNumber,
    SignedReport,
    Status,
)
from assessments.services import workflow
from tests.factories import complete_assessment, make_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(complete_draft, assessor):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    return complete_draft


def test_a_reviewer_is_told_on_the_review_page_that_the_unit_has_no_prefix(
    client, unit, reviewer, submitted
):
    unit.report_prefix = ""
    unit.save()
    client.force_login(reviewer)

    page = client.get(reverse("assessments:review", args=[submitted.pk]))

    assert "本单位尚未设置自己的报告编号前缀" in page.text
    assert reverse("assessments:approve", args=[submitted.pk]) not in page.text
    assert reverse("assessments:return", args=[submitted.pk]) in page.text


def test_approving_without_a_prefix_is_refused_with_that_message(client, unit, reviewer, submitted):
    unit.report_prefix = ""
    unit.save()
    client.force_login(reviewer)

    response = client.post(
        reverse("assessments:approve", args=[submitted.pk]), {"version": "1"}, follow=True
    )

    assert "本单位尚未设置自己的报告编号前缀" in response.text
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    refusal = AuditEvent.objects.get(action=AuditAction.REFUSED)
    assert (refusal.old_state, refusal.success) == (Status.SUBMITTED, False)


def test_the_number_is_taken_at_approval_and_the_issued_report_carries_it(
    unit, reviewer, submitted
):
    approve_and_issue(assessment=submitted, actor=reviewer)
    taken = ReportNumber.objects.get(assessment=submitted)
    assert taken.number == f"{unit.report_prefix}〔{taken.year}〕1号"
    assert not SignedReport.objects.exists()  # issuing has not run yet
    # What the approval took stands, whatever happens to the unit's settings afterwards.
    unit.report_prefix = ""
    unit.save()

    report = tasks.issue_report(assessment_id=submitted.pk)

    assert report.report_number == taken.number
    submitted.refresh_from_db()
    assert submitted.status == Status.ISSUED


def test_numbers_follow_the_order_of_approval_not_of_issuing(unit, assessor, reviewer, submitted):
    second = complete_assessment(make_assessment(unit=unit, author=assessor, project_name="第二个"))
    workflow.assessment_submit(assessment=second, actor=assessor)
    approve_and_issue(assessment=submitted, actor=reviewer)
    approve_and_issue(assessment=second, actor=reviewer)

    later = tasks.issue_report(assessment_id=second.pk)
    earlier = tasks.issue_report(assessment_id=submitted.pk)

    assert (earlier.report_number, later.report_number) == (
        f"{unit.report_prefix}〔{earlier.signed_at.year}〕1号",
        f"{unit.report_prefix}〔{earlier.signed_at.year}〕2号",
    )


def test_a_refused_approval_takes_no_number(client, unit, reviewer, submitted):
    client.force_login(reviewer)

    client.post(reverse("assessments:approve", args=[submitted.pk]), {"version": "9"})

    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    assert not ReportNumber.objects.exists()
    assert not ReportCounter.objects.filter(last_number__gt=0).exists()


def test_a_refused_transition_records_the_status_the_row_really_had(assessor, reviewer, submitted):
    stale = type(submitted).objects.get(pk=submitted.pk)  # read while submitted
    approve_and_issue(assessment=submitted, actor=reviewer)

    with pytest.raises(workflow.TransitionRefused):
        workflow.assessment_return(assessment=stale, actor=reviewer, comment="晚了")

    refusal = AuditEvent.objects.get(action=AuditAction.REFUSED)
    assert refusal.old_state == Status.APPROVED
    assert stale.status == Status.SUBMITTED  # the caller's copy said otherwise
