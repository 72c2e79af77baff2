"""A unit administrator brings a new colleague in and later takes the role away again."""

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme
from assessments.models import Assessment, Profile, Role, Status
from tests.factories import PASSWORD, make_unit, make_user

from .conftest import login, press

OWN_PASSWORD = "Li-Si-eigenes-2026"


@pytest.fixture
def ursula(transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    return make_user("ursula", roles=[Role.UNIT_ADMIN], units=[unit], first_name="管理员")


@pytest.fixture
def second_page(browser, page):
    """Another person at another computer: a browser context of its own, under the same
    Content Security Policy watch as `page`."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    other = context.new_page()
    other.base_url = page.base_url
    violations = []
    other.on(
        "console",
        lambda message: (
            violations.append(message.text[:60])
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield other
    context.close()
    assert violations == [], violations


def test_an_administrator_brings_in_an_assessor_and_later_withdraws_the_role(
    page, second_page, screenshot, ursula
):
    # The administrator creates the account with the assessor role.
    login(page, "ursula", PASSWORD)
    page.get_by_role("link", name="单位管理").click()
    expect(page.get_by_role("heading", name="周村区大数据局")).to_be_visible()
    page.get_by_role("link", name="新建用户").click()
    page.get_by_label("用户名").fill("lisi")
    page.fill("[name=last_name]", "李")
    page.fill("[name=first_name]", "四")
    page.get_by_label("评估人员").check()
    screenshot(page, "units-1-new-user")
    page.get_by_role("button", name="创建用户").click()
    expect(page.get_by_role("heading", name="账号已创建")).to_be_visible()
    temporary = page.locator("#temporary-password").inner_text().strip()
    assert len(temporary) >= 8
    screenshot(page, "units-2-temporary-password")

    # The new assessor logs in and must first choose a password of their own.
    user = second_page
    login(user, "lisi", temporary)
    expect(user).to_have_url(user.base_url + "/accounts/password/")
    expect(user.get_by_text("您正在使用临时密码")).to_be_visible()
    user.goto(user.base_url + "/assessments/new/")
    expect(user).to_have_url(user.base_url + "/accounts/password/")
    user.fill("[name=old_password]", temporary)
    user.fill("[name=new_password1]", OWN_PASSWORD)
    user.fill("[name=new_password2]", OWN_PASSWORD)
    screenshot(user, "units-3-password-change")
    user.get_by_role("button", name="修改密码").click()
    expect(user.get_by_text("您的密码已修改")).to_be_visible()
    assert not Profile.objects.get(user__username="lisi").must_change_password

    # ... and creates a draft.
    user.get_by_role("link", name="进入首页").click()
    user.get_by_role("link", name="新建评估").first.click()
    user.fill("[name=title]", "周村区某道路改造项目社会稳定风险评估报告")
    user.fill("[name=project_name]", "周村区某道路改造项目")
    user.fill("[name=responsible_entity]", "周村区住建局")
    user.fill("[name=evaluating_unit]", "周村区大数据局")
    user.fill("[name=report_date]", "2026-11-20")
    press(user, "保存并下一步")
    draft = Assessment.objects.get(project_name="周村区某道路改造项目")
    assert (draft.status, draft.author.username) == (Status.DRAFT, "lisi")
    edit_url = f"{user.base_url}/assessments/{draft.pk}/steps/project/"
    user.goto(edit_url)
    expect(user.locator("[name=project_name]")).to_have_value("周村区某道路改造项目")

    # The administrator withdraws the role.
    page.get_by_role("link", name="返回本单位").click()
    row = page.locator("#members tr", has_text="lisi")
    expect(row).to_contain_text("评估人员")
    expect(row).not_to_contain_text("须修改密码")  # they chose their own meanwhile
    row.get_by_role("button", name="撤销 评估人员 · lisi").click()
    expect(page.get_by_text("已撤销 李四 在本单位的“评估人员”角色。")).to_be_visible()
    expect(page.locator("#members tr", has_text="lisi")).to_have_count(0)
    screenshot(page, "units-4-role-withdrawn")

    # The former assessor can no longer open the draft's edit page.
    response = user.goto(edit_url)
    assert response.status in (403, 404)
    expect(user.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(user.locator("[name=project_name]")).to_have_count(0)
    screenshot(user, "units-5-draft-gone")
