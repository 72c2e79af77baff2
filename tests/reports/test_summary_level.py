"""Issue 16: a summary-level standard case — counts only, no dates, places or names — is
entered, submitted and issued, and the signed report states exactly what was entered."""

import re
import subprocess

import pytest

from assessments import content
from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.models import LocalityRule, SignedReport, Status
from assessments.reports.storage import read_report_bytes
from assessments.services import workflow
from tests.factories import complete_assessment, make_assessment, summary_standard

pytestmark = pytest.mark.django_db

DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
# A zero standing as a count: "0人次", "0份", "0条" … (not the 0 inside 2026 or a phone).
ZERO_COUNT = re.compile(r"(?<![\d.])0(?:人次|人|份|条|个|项|名|次|户|%)")


@pytest.fixture
def summary(assessor, unit, risk_scheme):
    # This locality's rules (data) set no minimum size of the expert panel: the source
    # says experts were consulted, not how many.
    for key in ("expert_count", "expert_count_large"):
        LocalityRule.objects.create(
            unit=unit, mode="standard", key=key, required=False, source="本地区实施细则（测试）"
        )
    return summary_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", result.stdout.decode())


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
    text = pdf_text(read_report_bytes(report.sha256))

    for entered in (
        "公示公告1次",
        "部门会议1次",
        "座谈会1次",
        "听证会1次",
        "实地走访1次",
        "发放问卷5份",
        "共收集各方意见8条，采纳6条",
        "群众满意率98%",
        "针对识别的3个风险点，制定防范化解措施2项",
        "专家组评定风险等级为低风险",
        "会议决定：实施",
    ):
        assert entered in text, entered
    # The questionnaire's number of surveys was not given: no total of activities either.
    assert "问卷调查1次" not in text and "共开展公众参与活动" not in text
    # No date but the report's own and the signing date.
    signed = report.signed_at
    allowed = {
        f"{summary.report_date.year}年{summary.report_date.month}月{summary.report_date.day}日",
        f"{signed.year}年{signed.month}月{signed.day}日",
    }
    assert set(DATE.findall(text)) <= allowed
    # No number of experts, no count nobody gave, no invented names or scores.
    assert not re.search(r"\d+名专家", text)
    assert ZERO_COUNT.findall(text) == []
    for invented in ("人次", "主持人", "总指挥", "评估责任领导", "工作小组", "可能性", "回收问卷"):
        assert invented not in text, invented


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
