"""A district office's administrator loosens one rule for the units below it, and sees where
every rule in force comes from."""

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme
from assessments.models import LocalityRule, Role
from tests.factories import PASSWORD, make_unit, make_user

from .conftest import login


@pytest.fixture
def dora(transactional_db):
    ensure_risk_scheme()
    district = make_unit("周村区委政法委")
    make_unit("周村区发展和改革局", parent=district)
    return make_user("dora", roles=[Role.UNIT_ADMIN], units=[district], first_name="管理员")


def test_a_district_administrator_loosens_a_rule_for_the_units_below(page, screenshot, dora):
    login(page, "dora", PASSWORD)
    page.get_by_role("link", name="单位管理").click()
    page.get_by_role("link", name="评估规则").click()
    expect(page.get_by_role("heading", name="周村区委政法委现行评估规则")).to_be_visible()
    row = page.locator("#rule-standard-meeting_chair")
    expect(row).to_contain_text("国家默认值")
    screenshot(page, "rules-1-list")

    row.get_by_role("link", name="修改").click()
    page.get_by_label("不要求").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".invalid-feedback, .text-danger").first).to_contain_text("依据的文件")
    page.get_by_label("规则依据").fill("《周村区实施细则》第十二条")
    screenshot(page, "rules-2-edit")
    page.get_by_role("button", name="保存").click()

    row = page.locator("#rule-standard-meeting_chair")
    expect(row).to_contain_text("本单位")
    expect(row).to_contain_text("《周村区实施细则》第十二条")
    screenshot(page, "rules-3-loosened")
    assert LocalityRule.objects.get(unit__name="周村区委政法委").required is False
