"""Work is never silently lost, nor the seal silently missing: leaving a step with unsaved
typing asks first; saving does not ask; the approval page says when there is no seal."""

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme
from assessments.models import Assessment, Role
from assessments.services import workflow
from tests.factories import PASSWORD, complete_assessment, make_assessment, make_unit, make_user

from .conftest import add_row, login, press


@pytest.fixture
def draft(transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    alice = make_user("alice", roles=[Role.ASSESSOR], units=[unit])
    make_user("bob", roles=[Role.REVIEWER], units=[unit])
    return make_assessment(unit=unit, author=alice, project_name="未保存提示测试项目")


def step_url(page, draft, slug):
    return f"{page.base_url}/assessments/{draft.pk}/steps/{slug}/"


def test_typing_then_clicking_another_step_asks_and_staying_keeps_the_text(page, screenshot, draft):
    login(page, "alice", PASSWORD)
    page.goto(step_url(page, draft, "basic"))
    page.fill("[name=basic_situation]", "尚未保存的项目背景。")
    asked = []

    def refuse(dialog):
        asked.append((dialog.type, dialog.message))
        dialog.dismiss()

    page._impl_obj.remove_all_listeners("dialog")  # the fixture's listener accepts every one
    page.once("dialog", refuse)
    page.locator(".wizard-steps a").filter(has_text="项目信息").click()

    assert asked and asked[0][0] == "confirm" and "尚未保存" in asked[0][1]
    expect(page).to_have_url(step_url(page, draft, "basic"))
    expect(page.locator("[name=basic_situation]")).to_have_value("尚未保存的项目背景。")
    screenshot(page, "unsaved-1-asked")

    page.once(
        "dialog", lambda dialog: (asked.append((dialog.type, dialog.message)), dialog.accept())
    )
    page.locator(".wizard-steps a").filter(has_text="项目信息").click()
    expect(page).to_have_url(step_url(page, draft, "project"))
    assert len(asked) == 2
    assert Assessment.objects.get(pk=draft.pk).basic_situation == ""


def test_saving_then_clicking_another_step_does_not_ask(page, draft):
    login(page, "alice", PASSWORD)
    page.goto(step_url(page, draft, "basic"))
    page.fill("[name=basic_situation]", "已保存的项目背景。")
    press(page, "保存", exact=True)
    expect(page.get_by_role("alert").filter(has_text="已保存")).to_be_visible()
    page.locator(".wizard-steps a").filter(has_text="项目信息").click()

    expect(page).to_have_url(step_url(page, draft, "project"))
    assert page.dialogs == []


def test_a_page_shown_untouched_leaves_without_asking(page, draft):
    login(page, "alice", PASSWORD)
    page.goto(step_url(page, draft, "basic"))
    page.locator(".wizard-steps a").filter(has_text="项目信息").click()

    expect(page).to_have_url(step_url(page, draft, "project"))
    assert page.dialogs == []


def test_the_approval_page_warns_that_the_unit_has_no_seal(page, screenshot, draft):
    complete_assessment(draft)
    workflow.assessment_submit(assessment=draft, actor=draft.author)
    login(page, "bob", PASSWORD)

    page.goto(f"{page.base_url}/assessments/{draft.pk}/review/")

    warning = page.locator("#no-seal")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("尚未上传印章图片")
    screenshot(page, "unsaved-2-no-seal-warning")


def test_adding_a_row_needs_no_round_trip_and_the_added_row_is_saved(page, draft):
    login(page, "alice", PASSWORD)
    page.goto(step_url(page, draft, "contacts"))
    page.fill("[name=responsible-0-name]", "聂某")
    page.fill("[name=responsible-0-phone]", "13800000001")
    page.fill("[name=evaluator-0-name]", "田某")
    page.fill("[name=evaluator-0-phone]", "13800000003")
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    add_row(page, "添加联系人")

    expect(page.locator("[name=responsible-1-name]")).to_be_focused()
    assert requests == []  # the row came from the page's own empty row
    expect(page.locator("[name=responsible-TOTAL_FORMS]")).to_have_value("2")
    page.fill("[name=responsible-1-name]", "李某")
    page.fill("[name=responsible-1-phone]", "13800000002")
    press(page, "保存", exact=True)
    expect(page.get_by_role("alert").filter(has_text="已保存")).to_be_visible()

    names = list(
        draft.contacts.filter(side="responsible").order_by("order").values_list("name", flat=True)
    )
    assert names == ["聂某", "李某"]
    page.reload()  # the saved rows come back from the server
    expect(page.locator("[name=responsible-1-name]")).to_have_value("李某")
