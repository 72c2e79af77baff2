"""Issue 16: a summary-level standard case — counts only, no dates, places or names — is
entered, submitted and issued, and the signed report states exactly what was entered."""

import pytest

from assessments import content
from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.models import LocalityRule, SignedReport, Status
from assessments.services import workflow
from tests.factories import complete_assessment, make_assessment, summary_standard
from tests.summary_report import assert_states_only_what_was_entered

pytestmark = pytest.mark.django_db


@pytest.fixture
def summary(assessor, unit, risk_scheme):
    # This locality's rules (data) set no minimum size of the expert panel: the source
    # says experts were consulted, not how many.
    for key in ("expert_count", "expert_count_large"):
        LocalityRule.objects.create(
            unit=unit, mode="standard", key=key, required=False, source="本地区实施细则（测试）"
        )
    return summary_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))


def test_a_summary_level_case_meets_the_rules_with_counts_and_marks(summary):
    data = content.assessment_content(summary)
    rules = content.rules_for(summary.owner_unit)
    assert content.missing_requirements(data, rules=rules) == []


def test_the_issued_report_states_every_count_entered_and_nothing_else(summary, assessor, reviewer):
    workflow.assessment_submit(assessment=summary, actor=assessor)
    approve_and_issue(assessment=summary, actor=reviewer)
    tasks.issue_report(assessment_id=summary.pk)
    summary.refresh_from_db()
    assert summary.status == Status.ISSUED
    report = SignedReport.objects.get(assessment=summary)
    assert_states_only_what_was_entered(report, summary.report_date)


def test_the_preview_and_the_reviewer_see_what_is_marked_not_stated(
    summary, assessor, reviewer, client
):
    from django.urls import reverse

    client.force_login(assessor)
    preview = client.get(reverse("assessments:step", args=[summary.pk, "preview"])).text
    workflow.assessment_submit(assessment=summary, actor=assessor)
    client.force_login(reviewer)
    review = client.get(reverse("assessments:review", args=[summary.pk])).text

    for page in (preview, review):
        assert 'id="not-stated"' in page
        for label in ("专家论证：专家人数", "集体讨论决定：主持人", "评估主体：评估工作小组"):
            assert label in page, label
