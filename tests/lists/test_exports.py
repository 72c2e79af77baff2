"""CSV and XLSX exports of the assessment list: streamed, complete, named after the unit."""

import csv
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.lists import exports
from assessments.models import AuditAction, AuditEvent
from tests.factories import complete_assessment, issue, make_assessment

pytestmark = pytest.mark.django_db

HEADER = [
    "报告编号",
    "项目名称",
    "责任主体",
    "评估单位",
    "评估模式",
    "状态",
    "风险等级",
    "评估建议",
    "报告日期",
    "签发日期",
    "批准人",
    "所属单位",
]


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def xlsx_rows(response) -> list[list[str]]:
    assert response.streaming
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell or "" for cell in row] for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def issued(unit, assessor, reviewer, risk_scheme):
    assessment = complete_assessment(
        make_assessment(unit=unit, author=assessor, project_name="古商城道路改造")
    )
    return issue(assessment, author=assessor, reviewer=reviewer)


def test_the_csv_has_report_number_issue_date_and_approver_and_the_units_name(
    client, clerk, unit, assessor, issued
):
    make_assessment(unit=unit, author=assessor, project_name="=HYPERLINK(1)")
    client.force_login(clerk)

    response = client.get(reverse("assessments:export"))
    rows = csv_rows(response)

    today = timezone.localdate().strftime("%Y%m%d")
    disposition = unquote(response["Content-Disposition"])
    assert disposition == f"attachment; filename*=utf-8''周村区大数据局-评估列表-{today}.csv"
    assert "no-store" in response["Cache-Control"]
    assert rows[0] == HEADER
    by_project = {row[1]: row for row in rows[1:]}
    road = by_project["古商城道路改造"]
    assert road[0] == issued.report_number
    assert road[4:8] == ["简易评估", "已签发", "低", "准予实施"]
    assert road[9] == timezone.localtime(issued.signed_at).date().isoformat()
    assert road[10] == "bob"
    assert road[11] == "周村区大数据局"
    # A cell a spreadsheet would run as a formula is neutralised.
    assert "'=HYPERLINK(1)" in by_project
    assert len(rows) == 3


def test_the_xlsx_holds_the_same_rows_as_the_csv(client, clerk, unit, assessor, issued):
    make_assessment(unit=unit, author=assessor, project_name="城市公园<提升>&\x07")
    client.force_login(clerk)

    as_csv = csv_rows(client.get(reverse("assessments:export")))
    response = client.get(reverse("assessments:export_xlsx"))
    as_xlsx = xlsx_rows(response)

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith(".xlsx")
    assert as_xlsx[0] == HEADER
    # Control characters XML cannot hold are dropped; markup characters are kept as text.
    assert sorted(r[1] for r in as_xlsx[1:]) == ["古商城道路改造", "城市公园<提升>&"]
    assert sorted(as_xlsx[1:]) == sorted(
        [r for r in as_csv[1:] if r[1] == "古商城道路改造"]
        + [[c.replace("\x07", "") for c in r] for r in as_csv[1:] if r[1] != "古商城道路改造"]
    )


def test_the_export_follows_the_lists_filters_and_visibility(
    client, assessor, outsider, unit, other_unit, risk_scheme
):
    make_assessment(unit=unit, author=assessor, project_name="古商城道路改造")
    make_assessment(unit=unit, author=assessor, project_name="城市公园提升")
    make_assessment(unit=other_unit, author=outsider, project_name="别人的项目")
    client.force_login(assessor)

    rows = csv_rows(client.get(reverse("assessments:export"), {"q": "公园"}))

    assert [row[1] for row in rows[1:]] == ["城市公园提升"]


def test_the_export_reads_in_chunks_each_row_once(client, assessor, unit, risk_scheme, monkeypatch):
    for n in range(7):
        make_assessment(unit=unit, author=assessor, project_name=f"项目{n}")
    monkeypatch.setattr(exports, "CHUNK", 3)
    client.force_login(assessor)

    response = client.get(reverse("assessments:export"))
    with CaptureQueriesContext(connection) as queries:
        rows = csv_rows(response)

    assert sorted(row[1] for row in rows[1:]) == [f"项目{n}" for n in range(7)]
    # 3 + 3 + 1 rows: three chunk queries, however many rows the unit holds.
    assert len([q for q in queries if "LIMIT 3" in q["sql"]]) == 3


def test_the_export_is_audited_with_its_filter(client, assessor, unit, risk_scheme):
    make_assessment(unit=unit, author=assessor)
    client.force_login(assessor)

    xlsx_rows(client.get(reverse("assessments:export_xlsx"), {"status": "draft"}))

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.username == "alice"
    assert "xlsx" in event.detail and "status=draft" in event.detail


def test_a_user_of_several_units_gets_an_export_named_for_all_units(
    client, unit, other_unit, risk_scheme
):
    from assessments.models import Role
    from tests.factories import make_user

    both = make_user("both", roles=[Role.ASSESSOR], units=[unit, other_unit])
    make_assessment(unit=unit, author=both, project_name="甲")
    make_assessment(unit=other_unit, author=both, project_name="乙")
    client.force_login(both)

    response = client.get(reverse("assessments:export"))
    rows = csv_rows(response)

    assert "全部单位-评估列表" in unquote(response["Content-Disposition"])
    assert sorted(row[1] for row in rows[1:]) == ["乙", "甲"]
