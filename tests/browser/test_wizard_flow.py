"""An assessor enters the published reference report from scratch, over two sittings."""

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme, load_demo_spec
from assessments.models import Assessment, Dimension, Role, Status
from tests.factories import PASSWORD, make_unit, make_user
from tests.reference import missing_in_order, reference_paragraphs

from .conftest import add_row, login, press


@pytest.fixture
def reference():
    return load_demo_spec()["assessments"][0]


@pytest.fixture
def alice(transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    return make_user("alice", roles=[Role.ASSESSOR], units=[unit], first_name="爱丽")


def expect_step(page, slug: str) -> None:
    expect(page).to_have_url(f"{page.base_url}/assessments/{page.pk}/steps/{slug}/")


def fill_contact(page, prefix: str, index: int, contact: dict) -> None:
    page.fill(f"[name={prefix}-{index}-name]", contact["name"])
    page.fill(f"[name={prefix}-{index}-position]", contact["position"])
    page.fill(f"[name={prefix}-{index}-phone]", contact["phone"])


def test_an_assessor_enters_the_reference_report_over_two_sittings(
    page, screenshot, alice, reference
):
    login(page, "alice", PASSWORD)
    page.get_by_role("link", name="新建评估").first.click()

    # 1 项目信息
    page.fill("[name=title]", reference["title"])
    page.fill("[name=project_name]", reference["project_name"])
    page.fill("[name=responsible_entity]", reference["responsible_entity"])
    page.select_option("[name=mode]", reference["mode"])
    page.fill("[name=evaluating_unit]", reference["evaluating_unit"])
    page.fill("[name=report_date]", reference["report_date"])
    screenshot(page, "wizard-1-project")
    press(page, "保存并下一步")
    page.pk = Assessment.objects.get(project_name=reference["project_name"]).pk
    expect_step(page, "contacts")

    # 2 联系人: two rows on the responsible side (the second added with the button), one on
    # the evaluator's side.
    responsible = reference["contacts"]["responsible"]
    fill_contact(page, "responsible", 0, responsible[0])
    add_row(page, "添加联系人")
    expect(page.locator("[name=responsible-1-name]")).to_be_visible()
    fill_contact(page, "responsible", 1, responsible[1])
    fill_contact(page, "evaluator", 0, reference["contacts"]["evaluator"][0])
    screenshot(page, "wizard-2-contacts")
    press(page, "保存并下一步")
    expect_step(page, "basic")

    # 3 基本情况
    page.fill("[name=basic_situation]", reference["basic_situation"])
    screenshot(page, "wizard-3-basic")
    press(page, "保存并下一步")
    expect_step(page, "findings")

    # Leave half-way, log out, come back another day.
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")
    login(page, "alice", PASSWORD)
    drafts = page.locator("#section-drafts")
    drafts.get_by_role("link", name=reference["project_name"]).click()
    page.get_by_role("link", name="继续填报").click()
    page.wait_for_load_state("networkidle")
    expect_step(page, "findings")
    expect(page.locator(".wizard-step.is-complete")).to_have_count(3)

    # 4 四性评估
    for dimension in Dimension.values:
        finding = reference["findings"][dimension]
        page.fill(f"[name={dimension}_text]", finding["text"])
        page.select_option(f"[name={dimension}_verdict]", finding["verdict"])
    screenshot(page, "wizard-4-findings")
    press(page, "保存并下一步")
    expect_step(page, "risks")

    # 5 风险点及化解
    page.fill("[name=risk_narrative]", reference["risk_narrative"])
    screenshot(page, "wizard-5-risks")
    press(page, "保存并下一步")
    expect_step(page, "conclusion")

    # 6 评估结论
    page.select_option("[name=risk_level]", label="低")
    page.select_option("[name=recommendation]", label="准予实施")
    page.fill("[name=conclusion]", reference["conclusion"])
    screenshot(page, "wizard-6-conclusion")
    press(page, "保存并下一步")
    expect_step(page, "preview")

    # 7 预览并提交: the report reads like the reference, section for section.
    report = page.locator(".report").inner_text()
    screenshot(page, "wizard-7-preview")
    assert missing_in_order(reference_paragraphs(), report) == []
    for contact in [*responsible, *reference["contacts"]["evaluator"]]:
        assert contact["phone"] in report

    press(page, "提交审核")
    expect(page.get_by_text("已提交审核")).to_be_visible()
    assert Assessment.objects.get(pk=page.pk).status == Status.SUBMITTED
    screenshot(page, "wizard-8-submitted")
