"""Submit → return with a comment → revise and resubmit → the reviewer sees the diff, approves."""

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme
from assessments.models import Assessment, Role, Status
from tests.factories import PASSWORD, complete_assessment, make_assessment, make_unit, make_user

from .conftest import login, press


@pytest.fixture
def draft(transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    alice = make_user("alice", roles=[Role.ASSESSOR], units=[unit], first_name="爱丽")
    make_user("bob", roles=[Role.REVIEWER], units=[unit], first_name="审核员")
    return complete_assessment(
        make_assessment(unit=unit, author=alice, project_name="老旧小区改造")
    )


def logout(page):
    press(page, "退出")


def test_a_returned_assessment_is_revised_resubmitted_and_approved(page, screenshot, draft):
    # The assessor submits from the preview.
    login(page, "alice", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{draft.pk}/steps/preview/")
    press(page, "提交审核")
    expect(page.get_by_role("alert").filter(has_text="已提交审核")).to_be_visible()
    logout(page)

    # The reviewer returns it with a comment.
    login(page, "bob", PASSWORD)
    page.get_by_role("link", name="待审核").first.click()
    page.get_by_role("link", name="老旧小区改造").click()
    expect(page.locator("#changes")).to_have_count(0)
    page.get_by_label("给填报人的审核意见").fill("请补充施工期间的信访接待安排。")
    screenshot(page, "review-1-first-round")
    press(page, "退回修改")
    expect(page.get_by_role("alert").filter(has_text="已连同审核意见退回")).to_be_visible()
    logout(page)

    # The assessor sees the comment, revises and resubmits.
    login(page, "alice", PASSWORD)
    page.locator("#section-returned").get_by_role("link", name="老旧小区改造").click()
    expect(page.locator("#return-comment")).to_contain_text("请补充施工期间的信访接待安排。")
    page.get_by_role("link", name="继续填报").click()
    expect(page.locator("#return-comment")).to_contain_text("请补充施工期间的信访接待安排。")
    page.goto(f"{page.base_url}/assessments/{draft.pk}/steps/risks/")
    page.fill("[name=risk_narrative]", "风险点及化解情况。施工期间设立信访接待点。")
    screenshot(page, "review-2-revising")
    press(page, "保存")
    page.goto(f"{page.base_url}/assessments/{draft.pk}/steps/preview/")
    page.get_by_label("对审核意见的答复").fill("已在风险点中补充信访接待安排。")
    press(page, "提交审核")
    assert page.dialogs[-1].startswith("确定提交审核吗")
    logout(page)

    # The reviewer sees what changed and the author's reply, approves.
    login(page, "bob", PASSWORD)
    page.goto(f"{page.base_url}/assessments/{draft.pk}/review/")
    changes = page.locator("#changes")
    expect(changes).to_contain_text("风险点及化解情况")
    expect(changes.locator("ins")).to_have_text("施工期间设立信访接待点。")
    expect(page.locator("#author-reply")).to_have_text("已在风险点中补充信访接待安排。")
    screenshot(page, "review-3-diff")
    press(page, "批准")
    expect(page.get_by_role("alert").filter(has_text="已批准")).to_be_visible()

    # The four review events, then the issuing that approval sets off.
    timeline = page.locator("#timeline .timeline-event")
    expect(timeline).to_have_count(5)
    expect(timeline.nth(1)).to_contain_text("请补充施工期间的信访接待安排。")
    expect(timeline.nth(2)).to_contain_text("对审核意见的答复：已在风险点中补充信访接待安排。")
    assert [timeline.nth(i).get_attribute("data-to") for i in range(5)] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
        "issued",
    ]
    screenshot(page, "review-4-approved")
    assert Assessment.objects.get(pk=draft.pk).status == Status.ISSUED
