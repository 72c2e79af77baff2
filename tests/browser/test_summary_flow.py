"""Issue 16, through the browser: an assessor enters a standard assessment (一般评估) as a
published county report gives it — counts only, no dates, places or names, every figure the
source does not state marked 未载明 — the checklist ends empty, a reviewer approves, and the
signed report states every count entered and nothing that was not."""

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme
from assessments.models import Assessment, LocalityRule, Role, SignedReport, Status
from tests.factories import PASSWORD, make_unit, make_user
from tests.summary_report import assert_states_only_what_was_entered

from .conftest import add_row, login, press

TITLE = "城北片区雨污分流改造工程社会稳定风险评估报告"
# The activities as the source counts them: kind and times held, or questionnaires issued.
ACTIVITIES = [
    {"kind": "公示公告", "occasions": "1"},
    {"kind": "部门会议", "occasions": "1"},
    {"kind": "座谈会", "occasions": "1"},
    {"kind": "听证会", "occasions": "1"},
    {"kind": "实地走访", "occasions": "1"},
    # "问卷5份": how many surveys the source does not say.
    {"kind": "问卷调查", "questionnaires_issued": "5"},
]
RISKS = ("群众对补偿标准有疑虑。", "施工影响出行。", "舆情风险。")


@pytest.fixture
def people(transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    # This locality's rules (data) set no minimum size of the expert panel: the source
    # says experts were consulted, not how many.
    for key in ("expert_count", "expert_count_large"):
        LocalityRule.objects.create(
            unit=unit, mode="standard", key=key, required=False, source="本地区实施细则（测试）"
        )
    make_user("alice", roles=[Role.ASSESSOR], units=[unit], first_name="爱丽")
    make_user("bob", roles=[Role.REVIEWER], units=[unit], first_name="审核员")


def expect_step(page, slug: str) -> None:
    expect(page).to_have_url(f"{page.base_url}/assessments/{page.pk}/steps/{slug}/")


def fill_row(page, prefix: str, index: int, values: dict) -> None:
    for name, value in values.items():
        selector = f"[name={prefix}-{index}-{name}]"
        if page.locator(selector).evaluate("e => e.tagName") == "SELECT":
            page.select_option(selector, label=value)
        else:
            page.fill(selector, value)


def mark_not_stated(page, *names: str) -> None:
    """Tick the 未载明 checkbox beside each figure (or whole list) named."""
    for name in names:
        page.check(f"[name={name}__not_stated]")


def test_a_summary_level_standard_case_entered_in_the_browser_is_issued_as_entered(
    page, screenshot, people
):
    login(page, "alice", PASSWORD)
    page.get_by_role("link", name="新建评估").first.click()

    # 项目信息, standard mode; no figure of the project given
    page.fill("[name=title]", TITLE)
    page.fill("[name=project_name]", "城北片区雨污分流改造工程")
    page.fill("[name=responsible_entity]", "周村区住房和城乡建设局")
    page.fill("[name=evaluating_unit]", "周村区大数据局")
    page.select_option("[name=mode]", "standard")
    page.fill("[name=report_date]", "2026-11-01")
    press(page, "保存并下一步")
    page.pk = Assessment.objects.get(title=TITLE).pk
    expect_step(page, "contacts")

    # 联系人
    fill_row(page, "responsible", 0, {"name": "聂某", "position": "主任", "phone": "13800000001"})
    fill_row(page, "evaluator", 0, {"name": "田某", "phone": "13800000003"})
    press(page, "保存并下一步")
    expect_step(page, "basis")

    # 评估依据
    fill_row(page, "basis", 0, {"title": "重大行政决策程序暂行条例"})
    press(page, "保存并下一步")
    expect_step(page, "subject")

    # 评估主体: neither the leader nor the group is stated
    mark_not_stated(page, "responsible_leader", "working_group")
    press(page, "保存并下一步")
    expect_step(page, "basic")

    # 基本情况
    page.fill("[name=basic_situation]", "项目改造城北片区雨污管网。\n项目由区财政出资。")
    press(page, "保存并下一步")
    expect_step(page, "consultation")

    # 公众参与: kinds and counts, no dates or places
    for index, activity in enumerate(ACTIVITIES):
        if index:
            add_row(page, "添加活动")
        fill_row(page, "activities", index, activity)
    screenshot(page, "summary-1-consultation")
    press(page, "保存并下一步")
    expect_step(page, "opinions")

    # 各方意见: counted, not listed
    page.fill("[name=opinions_count]", "8")
    page.fill("[name=opinions_adopted_count]", "6")
    page.fill("[name=satisfaction_rate]", "98")
    press(page, "保存并下一步")
    expect_step(page, "expert")

    # 专家论证: the verdict, without the number of experts, their names or the date
    mark_not_stated(page, "expert_count", "expert_date", "expert_opinion")
    page.select_option("[name=expert_level]", label="低")
    page.select_option("[name=expert_recommendation]", label="准予实施")
    screenshot(page, "summary-2-expert")
    press(page, "保存并下一步")
    expect_step(page, "findings")

    # 四性评估
    for dimension in ("legality", "rationality", "feasibility", "controllability"):
        page.fill(f"[name={dimension}_text]", f"项目{dimension}方面的评估意见。")
        page.select_option(f"[name={dimension}_verdict]", "no_risk")
    press(page, "保存并下一步")
    expect_step(page, "risks")

    # 风险点: three, without likelihood × impact; two measures counted on their own
    page.fill("[name=risk_narrative]", "风险点及化解情况。")
    page.fill("[name=measures_count]", "2")
    for index, description in enumerate(RISKS):
        add_row(page, "添加风险点")
        fill_row(
            page,
            "risks",
            index,
            {
                "description": description,
                "category": "群众利益",
                "level_after": "低",
                "mitigation": "做好政策解释。",
                "resolution_state": "已化解",
            },
        )
    press(page, "保存并下一步")
    expect_step(page, "emergency")

    # 应急处置预案: nothing of it stated
    mark_not_stated(
        page,
        "emergency_triggers",
        "emergency_command_leader",
        "emergency_measures",
        "emergency_contacts",
    )
    press(page, "保存并下一步")
    expect_step(page, "conclusion")

    # 评估结论
    page.select_option("[name=risk_level]", label="低")
    page.select_option("[name=recommendation]", label="准予实施")
    page.fill("[name=conclusion]", "初步确定风险等级为低级，建议准予实施。")
    press(page, "保存并下一步")
    expect_step(page, "decision")

    # 集体讨论决定: only what was decided
    mark_not_stated(page, "meeting_kind", "meeting_date", "meeting_chair")
    page.select_option("[name=decision]", label="实施")
    press(page, "保存并下一步")
    expect_step(page, "preview")

    # 预览: the rules are met by counts and marks; the marks are shown
    expect(page.locator("#checklist li")).to_have_count(0)
    not_stated = page.locator("#not-stated")
    for label in ("专家论证：专家人数", "集体讨论决定：主持人", "评估主体：评估工作小组"):
        expect(not_stated).to_contain_text(label)
    screenshot(page, "summary-3-preview")
    press(page, "提交审核")
    expect(page.get_by_role("alert").filter(has_text="已提交审核")).to_be_visible()
    press(page, "退出")

    # The reviewer approves; in tests issuing runs inside the approving request.
    login(page, "bob", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{page.pk}/review/")
    press(page, "批准")
    expect(page.get_by_role("alert").filter(has_text="已批准")).to_be_visible()
    assessment = Assessment.objects.get(pk=page.pk)
    assert assessment.status == Status.ISSUED
    report = SignedReport.objects.get(assessment=assessment)
    assert_states_only_what_was_entered(report, assessment.report_date)
