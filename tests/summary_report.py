"""What the signed report of the summary-level standard case (`factories.summary_standard`,
or the same counts typed in the browser) must state, and must not: one check for the test
through the services and the test through the browser."""

import datetime
import re
import subprocess

from django.utils import timezone

from assessments.models import SignedReport
from assessments.reports.storage import read_report_bytes

DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
# A zero standing as a count: "0人次", "0份", "0条" … (not the 0 inside 2026 or a phone).
ZERO_COUNT = re.compile(r"(?<![\d.])0(?:人次|人|份|条|个|项|名|次|户|%)")
ENTERED = (
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
)
INVENTED = ("人次", "主持人", "总指挥", "评估责任领导", "工作小组", "可能性", "回收问卷")


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", result.stdout.decode())


def _chinese(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def assert_states_only_what_was_entered(report: SignedReport, report_date: datetime.date):
    text = pdf_text(read_report_bytes(report.sha256))
    for entered in ENTERED:
        assert entered in text, entered
    # The questionnaire's number of surveys was not given: no total of activities either.
    assert "问卷调查1次" not in text and "共开展公众参与活动" not in text
    # No date but the report's own and the signing date.
    allowed = {_chinese(report_date), _chinese(timezone.localtime(report.signed_at))}
    assert set(DATE.findall(text)) <= allowed, DATE.findall(text)
    # No number of experts, no count nobody gave, no invented names or scores.
    assert not re.search(r"\d+名专家", text)
    assert ZERO_COUNT.findall(text) == []
    for invented in INVENTED:
        assert invented not in text, invented
