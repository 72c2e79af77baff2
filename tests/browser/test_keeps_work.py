"""A form that never seems to lose work: the browser's Back button, then a save, is not a
conflict; one dimension of four is stored by 保存."""

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme
from assessments.models import Assessment, Role
from tests.factories import PASSWORD, make_assessment, make_unit, make_user

from .conftest import login, press


@pytest.fixture
def draft(transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    alice = make_user("alice", roles=[Role.ASSESSOR], units=[unit])
    return make_assessment(unit=unit, author=alice, project_name="返回键测试项目")


def test_back_then_save_is_saved_without_a_conflict(page, screenshot, draft):
    login(page, "alice", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{draft.pk}/steps/basic/")
    page.fill("[name=basic_situation]", "第一稿：项目背景。")
    press(page, "保存并下一步")
    expect(page).to_have_url(f"{page.base_url}/assessments/{draft.pk}/steps/findings/")

    page.go_back()
    page.wait_for_load_state("networkidle")
    expect(page).to_have_url(f"{page.base_url}/assessments/{draft.pk}/steps/basic/")
    # The page came from the server, not the browser's cache: it shows what was saved.
    expect(page.locator("[name=basic_situation]")).to_have_value("第一稿：项目背景。")
    page.fill("[name=basic_situation]", "第二稿：项目背景与依据。")
    press(page, "保存", exact=True)
    screenshot(page, "keeps-work-1-back-and-save")

    expect(page.locator("#edit-conflict")).to_have_count(0)
    expect(page.get_by_role("alert").filter(has_text="已保存")).to_be_visible()
    draft.refresh_from_db()
    assert draft.basic_situation == "第二稿：项目背景与依据。"


def test_back_to_a_stale_copy_then_save_is_still_no_conflict(page, draft):
    """Even an old copy of the page (here: its edit version forced back) saved by the same
    person is not someone else's change."""
    login(page, "alice", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{draft.pk}/steps/basic/")
    stale = page.locator("[name=lock_version]").input_value()
    page.fill("[name=basic_situation]", "第一稿。")
    press(page, "保存并下一步")
    page.go_back()
    page.wait_for_load_state("networkidle")
    page.locator("[name=lock_version]").evaluate("(input, v) => input.value = v", stale)
    page.fill("[name=basic_situation]", "第二稿。")
    press(page, "保存", exact=True)

    expect(page.locator("#edit-conflict")).to_have_count(0)
    assert Assessment.objects.get(pk=draft.pk).basic_situation == "第二稿。"


def test_one_dimension_of_four_is_stored_by_save(page, screenshot, draft):
    login(page, "alice", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{draft.pk}/steps/findings/")
    page.fill("[name=legality_text]", "《顶层设计》符合国家有关法律法规。")
    page.select_option("[name=legality_verdict]", index=1)
    press(page, "保存", exact=True)
    screenshot(page, "keeps-work-2-one-dimension")

    expect(page.get_by_role("alert").filter(has_text="已保存")).to_be_visible()
    findings = {f.dimension: f for f in draft.findings.all()}
    assert findings["legality"].text == "《顶层设计》符合国家有关法律法规。"
    assert findings["legality"].verdict
    assert findings["rationality"].text == ""
    # And it is there when the step is opened again.
    page.goto(f"{page.base_url}/assessments/{draft.pk}/steps/findings/")
    expect(page.locator("[name=legality_text]")).to_have_value("《顶层设计》符合国家有关法律法规。")
