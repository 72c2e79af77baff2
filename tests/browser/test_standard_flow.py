"""An assessor enters a standard assessment (一般评估) from nothing through every step — rows
added and removed, an evidence file uploaded — watching the checklist of what the rules still
require shrink to nothing; submits; a reviewer returns it and, after the fix, sees the diff."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme, load_demo_spec
from assessments.models import Assessment, Role, Status
from tests.factories import PASSWORD, make_unit, make_user

from .conftest import add_row, login, press

EVIDENCE = Path(__file__).resolve().parents[2] / "fixtures" / "demo_attachments"


@pytest.fixture
def spec():
    """The fictional standard-mode demo assessment, as the data to type in."""
    return next(a for a in load_demo_spec()["assessments"] if a["mode"] == "standard")


@pytest.fixture
def people(transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    make_user("alice", roles=[Role.ASSESSOR], units=[unit], first_name="爱丽")
    make_user("bob", roles=[Role.REVIEWER], units=[unit], first_name="审核员")


def expect_step(page, slug: str) -> None:
    expect(page).to_have_url(f"{page.base_url}/assessments/{page.pk}/steps/{slug}/")


def checklist_size(page) -> int:
    """Open the preview and count what it still lists; come back to where we were."""
    here = page.url
    page.goto(f"{page.base_url}/assessments/{page.pk}/steps/preview/")
    size = page.locator("#checklist li").count()
    page.goto(here)
    return size


def fill_row(page, prefix: str, index: int, values: dict) -> None:
    for name, value in values.items():
        selector = f"[name={prefix}-{index}-{name}]"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, label=value)
        else:
            page.fill(selector, value)


def test_an_assessor_enters_a_standard_assessment_through_every_step(
    page, screenshot, people, spec
):
    record = spec["standard"]
    login(page, "alice", PASSWORD)
    page.get_by_role("link", name="新建评估").first.click()

    # 项目信息, standard mode
    for name in ("title", "project_name", "responsible_entity", "evaluating_unit"):
        page.fill(f"[name={name}]", spec[name])
    page.select_option("[name=mode]", "standard")
    page.fill("[name=report_date]", spec["report_date"])
    page.fill("[name=investment_wan]", "8600")
    press(page, "保存并下一步")
    page.pk = Assessment.objects.get(title=spec["title"]).pk
    expect_step(page, "contacts")
    expect(page.locator(".wizard-step")).to_have_count(14)
    remaining = [checklist_size(page)]
    assert remaining[0] > 10

    # 联系人
    fill_row(page, "responsible", 0, spec["contacts"]["responsible"][0])
    fill_row(page, "evaluator", 0, spec["contacts"]["evaluator"][0])
    press(page, "保存并下一步")
    expect_step(page, "basis")

    # 评估依据: two documents, the second added, then removed again
    fill_row(page, "basis", 0, record["basis_documents"][0])
    add_row(page, "添加文件")
    fill_row(page, "basis", 1, {"title": "一份多余的文件"})
    press(page, "保存")
    page.check("[name=basis-1-DELETE]")
    screenshot(page, "standard-1-basis")
    press(page, "保存并下一步")
    expect_step(page, "subject")
    assert Assessment.objects.get(pk=page.pk).basis_documents.count() == 1

    # 评估主体
    page.fill("[name=responsible_leader]", record["responsible_leader"])
    fill_row(page, "group", 0, record["working_group"][0])
    press(page, "保存并下一步")
    expect_step(page, "basic")

    # 基本情况
    page.fill("[name=basic_situation]", spec["basic_situation"])
    press(page, "保存并下一步")
    expect_step(page, "consultation")

    # 公众参与: three activities of three kinds, and a photo of the notice as evidence
    kinds = {"notice": "公示公告", "questionnaire": "问卷调查", "forum": "座谈会"}
    for index, activity in enumerate(record["activities"][:3]):
        if index:
            add_row(page, "添加活动")
        values = {
            "kind": kinds[activity["kind"]],
            "start_date": activity["start_date"],
            "place": activity["place"],
            "summary": activity["summary"],
        }
        for name in ("participants", "questionnaires_issued", "questionnaires_returned"):
            if activity[name] is not None:
                values[name] = str(activity[name])
        if activity["questionnaires_in_favour"] is not None:
            values["questionnaires_in_favour"] = str(activity["questionnaires_in_favour"])
        fill_row(page, "activities", index, values)
    press(page, "保存")
    page.select_option("#attachment-activity", label="1. 公示公告 2026-08-03")
    page.set_input_files("#attachment-file", str(EVIDENCE / "notice-board.png"))
    press(page, "上传")
    expect(page.locator("#attachments")).to_contain_text("notice-board.png")
    screenshot(page, "standard-2-consultation")
    remaining.append(checklist_size(page))
    press(page, "保存并下一步")
    expect_step(page, "opinions")

    # 各方意见: one not adopted, with its reason
    opinion = record["opinions"][3]
    fill_row(
        page,
        "opinions",
        0,
        {
            "activity": "2. 问卷调查 2026-08-05",
            "raised_by": "受影响群众",
            "content": opinion["content"],
            "adoption": "未采纳",
            "response": opinion["response"],
        },
    )
    press(page, "保存并下一步")
    expect_step(page, "expert")

    # 专家论证: a panel of three
    page.fill("[name=expert_date]", record["expert_review"]["date"])
    page.select_option("[name=expert_level]", label="低")
    page.select_option("[name=expert_recommendation]", label="准予实施")
    page.fill("[name=expert_opinion]", record["expert_review"]["opinion"])
    for index, expert in enumerate(record["experts"][:3]):
        if index:
            add_row(page, "添加专家")
        fill_row(page, "experts", index, expert)
    press(page, "保存并下一步")
    expect_step(page, "findings")

    # 四性评估
    for dimension, finding in spec["findings"].items():
        page.fill(f"[name={dimension}_text]", finding["text"])
        page.select_option(f"[name={dimension}_verdict]", finding["verdict"])
    press(page, "保存并下一步")
    expect_step(page, "risks")

    # 风险点: one, resolved
    page.fill("[name=risk_narrative]", spec["risk_narrative"])
    add_row(page, "添加风险点")
    point = spec["risk_points"][2]
    fill_row(
        page,
        "risks",
        0,
        {
            "description": point["description"],
            "category": "群众利益",
            "likelihood": "2",
            "impact": "3",
            "level_after": "低",
            "mitigation": point["mitigation"],
            "responsible_party": point["responsible_party"],
            "resolution_state": "已化解",
            "resolution": point["resolution"],
        },
    )
    press(page, "保存并下一步")
    expect_step(page, "emergency")

    # 应急处置预案
    emergency = record["emergency"]
    page.fill("[name=emergency_triggers]", emergency["triggers"])
    page.fill("[name=emergency_command_leader]", emergency["command_leader"])
    page.fill("[name=emergency_command_units]", emergency["command_units"])
    page.fill("[name=emergency_measures]", emergency["measures"])
    fill_row(page, "emergency_contacts", 0, record["emergency_contacts"][0])
    press(page, "保存并下一步")
    expect_step(page, "conclusion")

    # 评估结论
    page.select_option("[name=risk_level]", label="低")
    page.select_option("[name=recommendation]", label="准予实施")
    page.fill("[name=conclusion]", spec["conclusion"])
    press(page, "保存并下一步")
    expect_step(page, "decision")

    # 集体讨论决定
    decision = record["decision"]
    page.fill("[name=meeting_kind]", decision["meeting_kind"])
    page.fill("[name=meeting_date]", decision["date"])
    page.fill("[name=meeting_chair]", decision["chair"])
    page.fill("[name=meeting_attendance]", decision["attendance"])
    page.select_option("[name=decision]", label="实施")
    press(page, "保存并下一步")
    expect_step(page, "preview")

    # 预览: nothing left on the checklist; the report follows the outline
    remaining.append(page.locator("#checklist li").count())
    assert remaining[0] > remaining[1] > remaining[2] == 0, remaining
    report = page.locator(".report").inner_text()
    assert "公众参与活动一览表" in report and "各方意见及采纳情况一览表" in report
    assert "notice-board.png" in report
    screenshot(page, "standard-3-preview")
    press(page, "提交审核")
    expect(page.get_by_role("alert").filter(has_text="已提交审核")).to_be_visible()
    assert Assessment.objects.get(pk=page.pk).status == Status.SUBMITTED
    press(page, "退出")

    # The reviewer returns it, asking for the forum's attendance.
    login(page, "bob", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{page.pk}/review/")
    page.get_by_label("给填报人的审核意见").fill("请补充座谈会的参与人数。")
    press(page, "退回修改")
    press(page, "退出")

    # The assessor fixes the forum row and resubmits.
    login(page, "alice", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{page.pk}/steps/consultation/")
    page.fill("[name=activities-2-participants]", "30")
    press(page, "保存")
    page.goto(f"{page.base_url}/assessments/{page.pk}/steps/preview/")
    press(page, "提交审核")
    press(page, "退出")

    # The reviewer sees the changed row in the diff.
    login(page, "bob", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{page.pk}/review/")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("公众参与活动 · 第3行 已修改")
    screenshot(page, "standard-4-diff")
