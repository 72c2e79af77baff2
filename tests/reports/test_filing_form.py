"""The 报备表 (issue 18, point 1) as a real PDF: its labels, the values entered and only
those, the sign-offs as recorded, fonts embedded, by the report's layout rules."""

import re
import subprocess
from io import BytesIO

import pytest
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader

from assessments.models import AuditAction, AuditEvent
from assessments.reports.filing_form import filing_form_pdf
from assessments.services import filing
from tests.filing_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db

LABELS = [
    "社会稳定风险评估报备表",
    "填报单位",
    "风险级别",
    "编号",
    "事项名称",
    "责任人员",
    "责任主体",
    "联系方式",
    "事项概况",
    "主要风险",
    "化解措施",
    "评估结果运用",
    "评估结论",
    "备注",
    "评估单位",
    "决策部门意见",
    "本级维稳办意见",
    "上级维稳办备案",
]


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return "".join(out.split())  # table cells wrap: compare without white space


def pdffonts(pdf: bytes) -> list[list[str]]:
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout
    return [line.split() for line in out.decode().splitlines()[2:] if line.strip()]


@pytest.fixture
def answered(issued, clerk, overseer):
    item = filing.file_report(
        assessment=issued,
        data={"result_use": "决策机关采纳评估结论，项目按期实施。", "remarks": "附会议纪要一份。"},
        actor=clerk,
    )
    filing.receive(filing=item, actor=overseer)
    filing.record_opinion(filing=item, text="经审查，程序完整，同意备案。", actor=overseer)
    filing.approve(filing=item, actor=overseer)
    return item


def test_the_form_holds_every_label_and_the_values_entered(answered, issued):
    text = pdf_text(filing_form_pdf(answered))

    for label in LABELS:
        assert label in text, label
    report = issued.signed_report
    for value in (
        "周村区住建局",  # 填报单位
        "低风险",  # as the scheme names the level (beside 风险级别: order varies with widths)
        report.report_number,
        issued.project_name,
        "聂某（主任）",  # 责任人员
        "测试责任单位",
        "聂某13800000001",  # 联系方式
        "基本情况第一段。",
        "施工扰民风险0",
        "错峰施工措施1",
        "决策机关采纳评估结论，项目按期实施。",
        "初步确定风险等级为低级，建议准予实施。",
        "附会议纪要一份。",
        "测试评估单位",
        "2026年11月1日",  # the report's date, under 评估单位
        "周村区委政法委",
        "经审查，程序完整，同意备案。",
    ):
        assert value in text, value


def test_nothing_recorded_stays_blank(issued, clerk):
    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    text = pdf_text(filing_form_pdf(item))

    assert "决策机关" not in text and "附会议纪要" not in text
    assert "经审查" not in text
    # 决策部门意见 and 上级维稳办备案 carry no date: blank date lines only.
    assert text.count("日期：年月日") == 3  # 决策部门, 本级 (not received), 上级


def test_fonts_are_embedded_subset_and_the_file_is_pdf_a_2b(answered):
    pdf = filing_form_pdf(answered)
    rows = pdffonts(pdf)

    assert rows
    assert all(row[-5] == "yes" and row[-4] == "yes" for row in rows), rows  # emb, sub
    reader = PdfFileReader(BytesIO(pdf))
    xmp = reader.root["/Metadata"].get_object().data.decode()
    part = re.search(r'pdfaid:part(?:="|>)(\d)', xmp)
    conformance = re.search(r'pdfaid:conformance(?:="|>)(\w)', xmp)
    assert (part[1], conformance[1]) == ("2", "B")
    assert "/Encrypt" not in reader.trailer


def test_the_owning_unit_and_the_oversight_download_it_audited(
    client, answered, clerk, overseer, stranger
):
    url = reverse("assessments:filing_form", kwargs={"filing_id": answered.pk})
    for user in (clerk, overseer):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert (
        AuditEvent.objects.filter(action=AuditAction.DOWNLOAD, object_type="assessments.filing")
        .values("user")
        .distinct()
        .count()
        == 2
    )
    client.force_login(stranger)
    assert client.get(url).status_code == 404
