"""Report numbers per unit and year with the unit's own prefix, said where the reviewer
decides; a failed issue that can succeed once its cause is fixed."""

import pytest
from django.urls import reverse

from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.models import AuditAction, AuditEvent, IssueFailure, Status
from assessments.services import workflow

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


def test_an_issue_that_failed_for_want_of_a_prefix_succeeds_on_retry_once_it_is_set(
    unit, reviewer, submitted
):
    approve_and_issue(assessment=submitted, actor=reviewer)
    prefix = unit.report_prefix
    unit.report_prefix = ""
    unit.save()

    with pytest.raises(tasks.NoReportPrefix):
        tasks.issue_report(assessment_id=submitted.pk)
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    assert IssueFailure.objects.filter(assessment=submitted).count() == 1

    unit.report_prefix = prefix
    unit.save()
    report = tasks.issue_report(assessment_id=submitted.pk)

    assert report.report_number == f"{prefix}〔{report.signed_at.year}〕1号"
    submitted.refresh_from_db()
    assert submitted.status == Status.ISSUED


def test_a_refused_transition_records_the_status_the_row_really_had(assessor, reviewer, submitted):
    stale = type(submitted).objects.get(pk=submitted.pk)  # read while submitted
    approve_and_issue(assessment=submitted, actor=reviewer)

    with pytest.raises(workflow.TransitionRefused):
        workflow.assessment_return(assessment=stale, actor=reviewer, comment="晚了")

    refusal = AuditEvent.objects.get(action=AuditAction.REFUSED)
    assert refusal.old_state == Status.APPROVED
    assert stale.status == Status.SUBMITTED  # the caller's copy said otherwise
