import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from assessments.demo import load_demo, load_demo_spec
from assessments.models import Assessment, Dimension, Membership, Role, Side, SignedReport, Status
from assessments.reports import storage
from tests.reference import missing_in_order, reference_values, squash

pytestmark = pytest.mark.django_db


def stored_report_sequence(assessment: Assessment) -> str:
    """The stored field values in the order the report prints them."""
    contacts = list(assessment.contacts.order_by("order"))
    findings = {f.dimension: f for f in assessment.findings.all()}

    def side(side_value):
        return [
            part for c in contacts if c.side == side_value for part in (c.name, c.position, c.phone)
        ]

    parts = [
        assessment.title,
        f"{assessment.report_date.year}年{assessment.report_date.month}月{assessment.report_date.day}日",
        assessment.project_name,
        assessment.responsible_entity,
        *side(Side.RESPONSIBLE),
        assessment.get_mode_display(),
        assessment.evaluating_unit,
        *side(Side.EVALUATOR),
        assessment.basic_situation,
        *(findings[d].text for d in Dimension.values),
        assessment.risk_narrative,
        assessment.conclusion,
    ]
    return "\n".join(parts)


@pytest.fixture
def demo():
    return load_demo(passwords={u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]})


@pytest.fixture
def issued_demo(django_capture_on_commit_callbacks):
    """The demo as `make run` leaves it: approvals issue their reports once committed."""
    with django_capture_on_commit_callbacks(execute=True):
        return load_demo(
            passwords={u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]}
        )


def reference_assessment() -> Assessment:
    return Assessment.objects.get(project_name="《周村区新型智慧城市顶层设计》")


def test_the_reference_report_is_held_completely_and_in_order(demo):
    sequence = stored_report_sequence(reference_assessment())

    assert missing_in_order(reference_values(), sequence) == []


def test_the_check_notices_a_missing_sentence(demo):
    assessment = reference_assessment()
    sequence = stored_report_sequence(assessment).replace("《顶层设计》本身完全合法，", "")

    assert missing_in_order(reference_values(), sequence) != []


def test_the_check_notices_paragraphs_out_of_order(demo):
    values = reference_values()
    sequence = stored_report_sequence(reference_assessment())
    swapped = [values[1], values[0], *values[2:]]

    assert missing_in_order(swapped, sequence) != []


def test_demo_phone_numbers_are_fictional(demo):
    contacts = reference_assessment().contacts
    phones = [
        *contacts.filter(side=Side.RESPONSIBLE).values_list("phone", flat=True),
        *contacts.filter(side=Side.EVALUATOR).values_list("phone", flat=True),
    ]

    assert phones == ["13800000001", "13800000002", "13800000003"]
    assert "13853351739" not in squash(stored_report_sequence(reference_assessment()))


def test_demo_has_the_reference_a_draft_and_a_submitted_assessment(demo):
    statuses = dict(Assessment.objects.values_list("project_name", "status"))

    assert statuses["《周村区新型智慧城市顶层设计》"] in (Status.APPROVED, Status.ISSUED)
    assert Status.DRAFT in statuses.values()
    assert Status.SUBMITTED in statuses.values()


def test_the_reference_keeps_the_level_and_recommendation(demo):
    assessment = reference_assessment()

    assert assessment.risk_level.name == "低"
    assert assessment.get_recommendation_display() == "准予实施"


def test_loading_twice_changes_nothing(demo):
    before = Assessment.objects.count()

    call_command("load_demo", stdout=io.StringIO())

    assert Assessment.objects.count() == before


def test_demo_users_cover_every_role_in_four_units(demo):
    spec = load_demo_spec()
    roles = {
        role for user in spec["users"] for held in user["memberships"].values() for role in held
    }
    units = {unit for user in spec["users"] for unit in user["memberships"]}

    assert roles == set(Role.values)
    # the city, and three district bureaus (青石区's follows an outline of its own, issue 16)
    assert len(units) == 4
    assert [u["username"] for u in spec["users"] if u.get("superuser")] == ["admin"]
    assert not Membership.objects.filter(user__username="admin").exists()


def test_each_bureau_has_an_issued_report_numbered_with_its_own_prefix(issued_demo):
    numbers = sorted(
        SignedReport.objects.values_list("assessment__owner_unit__code", "report_number")
    )

    assert numbers == [
        ("qingshi-bdb", "青大数稳评〔2026〕1号"),  # under 青石区's own outline
        ("zhangdian-bdb", "张大数稳评〔2026〕1号"),
        ("zhoucun-bdb", "周大数稳评〔2026〕1号"),
        ("zhoucun-bdb", "周大数稳评〔2026〕2号"),  # the standard-mode demo
        ("zhoucun-bdb", "周大数稳评〔2026〕3号"),  # the summary-level case (issue 16)
        ("zhoucun-bdb", "周大数稳评〔2026〕4号"),  # the policy (issue 16)
    ]


def test_the_oversight_user_sees_the_issued_reports_and_no_draft(issued_demo):
    oversight = get_user_model().objects.get(username="oversight")
    seen = Assessment.objects.visible_to(oversight)

    assert {a.owner_unit.code for a in seen} == {"zhoucun-bdb", "zhangdian-bdb", "qingshi-bdb"}
    assert {a.status for a in seen} == {Status.ISSUED}
    # The reference, 张店's, the standard case, the summary-level case and the policy (issue 16),
    # and 青石区's report under its own outline.
    assert seen.count() == 6


def test_the_reference_previewed_reads_like_the_reference_report(demo):
    from django.utils.html import strip_tags

    from assessments.reports.context import preview_html
    from tests.reference import reference_paragraphs

    text = strip_tags(preview_html(reference_assessment()))

    assert missing_in_order(reference_paragraphs(), text) == []


def test_the_demo_holds_an_issued_standard_assessment_with_every_record(issued_demo):
    import re
    import subprocess

    from assessments import content
    from assessments.models import Adoption, Mode
    from tests.reports.test_standard_report import STANDARD_HEADINGS

    standard = Assessment.objects.get(
        mode=Mode.STANDARD, status=Status.ISSUED, project_name__startswith="周村区青石桥片区"
    )
    frozen = content.upgrade(standard.signed_report.version.content)
    record = frozen["standard"]

    assert content.missing_requirements(frozen) == []
    for name in ("basis_documents", "working_group", "activities", "opinions", "experts"):
        assert record[name], name
    assert len(record["attachments"]) == 2
    refused = [o for o in record["opinions"] if o["adoption"] == Adoption.NOT_ADOPTED]
    assert len(refused) == 1 and refused[0]["response"]
    assert {p["resolution_state"] for p in frozen["risk_points"]} >= {"resolved", "in_progress"}

    pdf = storage.read_report_bytes(standard.signed_report.sha256)
    text = re.sub(
        r"\s+",
        "",
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode(),
    )
    positions = [text.find(heading) for heading in STANDARD_HEADINGS]
    assert -1 not in positions and positions == sorted(positions)
    assert "公众参与活动一览表" in text and "各方意见及采纳情况一览表" in text
    assert "支持率93.0%" in text  # 372 of 400 returned, computed
    assert "共收集各方意见4条，其中采纳2条、部分采纳1条、未采纳1条" in text
    assert "公示现场照片.png" in text and "座谈会签到表.pdf" in text
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    rows = [line.split() for line in fonts.stdout.decode().splitlines()[2:] if line.strip()]
    assert rows and all(row[-5] == "yes" for row in rows)


def demo_pdf_text(assessment: Assessment) -> str:
    import re
    import subprocess

    pdf = storage.read_report_bytes(assessment.signed_report.sha256)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", result.stdout.decode())


def test_the_demo_holds_an_issued_summary_level_case_and_an_issued_policy(issued_demo):
    summary = Assessment.objects.get(title="周村区南郊片区棚户区改造项目社会稳定风险评估报告")
    policy = Assessment.objects.get(title="周村区老旧小区改造居民出资指导意见社会稳定风险评估报告")
    assert summary.status == policy.status == Status.ISSUED

    text = demo_pdf_text(summary)
    assert "公示公告1次、部门会议1次" in text and "发放问卷5份" in text
    assert "共收集各方意见8条，采纳6条" in text and "组织3名专家" in text
    assert "针对识别的3个风险点，制定防范化解措施2项" in text
    assert "项目单位：周村区城市建设投资有限公司。" in text and "需搬迁46户。" in text
    for absent in ("主持人", "总指挥", "人次", "直接影响"):
        assert absent not in text, absent

    text = demo_pdf_text(policy)
    assert "文件名称：周村区老旧小区改造居民出资指导意见。" in text
    assert "适用范围：全区2000年前建成、纳入改造计划的住宅小区。" in text
    assert "直接影响12000人。" in text


def test_the_city_loosens_one_rule_and_its_bureaus_show_where_it_comes_from(client, demo):
    from django.urls import reverse

    from assessments import content
    from assessments.models import AuditAction, AuditEvent, Unit

    bureau = Unit.objects.get(code="zhoucun-bdb")
    in_force = content.rules_for(bureau)[("standard", "named_experts")]
    assert (in_force.required, in_force.unit.code) == (False, "zibo-zfw")
    assert AuditEvent.objects.filter(
        action=AuditAction.UNIT_CHANGED, detail__contains="standard/named_experts"
    ).exists()

    client.force_login(get_user_model().objects.get(username="unitadmin"))
    page = client.get(reverse("units:rules", args=[bureau.pk]))
    assert page.status_code == 200
    assert "淄博市委政法委" in page.text and "演示数据" in page.text


def test_the_demo_issues_one_report_under_each_shipped_outline(issued_demo):
    from assessments.models import Outline

    issued = SignedReport.objects.select_related("version")
    followed = sorted(report.version.outline["code"] for report in issued)

    for outline in Outline.objects.all():
        assert outline.code in followed, outline.code
    qingshi = issued.get(version__outline__code="qingshi-simple")
    text = storage.read_report_bytes(qingshi.sha256)
    assert text.startswith(b"%PDF")
    assert qingshi.version.content["free_sections"]["public-opinion"].startswith("评估期间")


def test_every_demo_unit_has_the_fictional_demo_seal_and_its_issued_reports_show_it(
    issued_demo,
):
    from PIL import Image

    from assessments.models import Seal, Unit

    seals = Seal.objects.select_related("unit")
    assert {s.unit.code for s in seals} == set(Unit.objects.values_list("code", flat=True))
    image = Image.open(io.BytesIO(bytes(seals[0].image)))
    assert image.format == "PNG" and seals[0].content_type == "image/png"
    # Red ink on a transparent ground, as a seal image is uploaded.
    assert image.getpixel((image.width // 2, 16))[:3] == (200, 30, 30)
    assert image.getpixel((0, 0))[3] == 0
    report = SignedReport.objects.filter(assessment__owner_unit__code="zhangdian-bdb").first()
    pdf = storage.read_report_bytes(report.sha256)
    assert pdf.count(b"/Subtype /Image") >= 2  # the QR code and the seal


def test_the_reference_is_filed_with_the_city_and_answered_in_its_inbox(client, issued_demo):
    from django.urls import reverse

    from assessments.models import AuditEvent, Filing, FilingAction, FilingState

    reference = reference_assessment()
    filing = Filing.objects.get(assessment=reference)
    assert (filing.current_unit.code, filing.state) == ("zibo-zfw", FilingState.APPROVED)
    acts = list(filing.steps.order_by("id").values_list("user__username", "action"))
    assert acts == [
        ("clerk", FilingAction.FILED),
        ("oversight", FilingAction.RECEIVED),
        ("oversight", FilingAction.OPINION),
        ("oversight", FilingAction.APPROVED),
    ]
    assert (
        AuditEvent.objects.filter(
            object_type="assessments.filing", object_id=str(filing.pk)
        ).count()
        == 4
    )

    client.force_login(get_user_model().objects.get(username="oversight"))
    inbox = client.get(reverse("assessments:filing_inbox")).content.decode()
    assert reference.project_name in inbox and "同意备案" in inbox

    call_command("load_demo", stdout=io.StringIO())
    assert Filing.objects.count() == 1  # loading again files nothing twice


def test_the_reference_has_an_overdue_tracking_record_and_the_oversight_is_reminded(
    client, issued_demo
):
    from django.urls import reverse

    from assessments.models import Notification, NotificationKind, TrackingRecord

    reference = reference_assessment()
    (record,) = TrackingRecord.objects.filter(assessment=reference)
    assert record.is_overdue() and record.findings == ""
    oversight = get_user_model().objects.get(username="oversight")
    reminded = Notification.objects.filter(
        recipient=oversight, kind=NotificationKind.OVERDUE, key=f"tracking:{record.pk}"
    )
    assert reminded.count() == 1

    client.force_login(oversight)
    page = client.get(reverse("assessments:notifications")).content.decode()
    assert reference.title in page and "已逾期" in page
    detail = client.get(reference.get_absolute_url()).content.decode()
    assert "区大数据局 跟踪组（演示数据）" in detail

    call_command("load_demo", stdout=io.StringIO())
    assert TrackingRecord.objects.filter(assessment=reference).count() == 1
    assert reminded.count() == 1  # loading again reminds nobody twice
