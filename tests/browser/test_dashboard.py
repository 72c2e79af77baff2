"""A reviewer opens the dashboard: each chart is drawn (offline, under the enforced CSP) and
its table beside it says the same numbers."""

import pytest
from playwright.sync_api import expect

from assessments.demo import ensure_risk_scheme
from assessments.models import Role
from tests.factories import PASSWORD, make_assessment, make_unit, make_user

from .conftest import login


@pytest.fixture
def bob(transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    author = make_user("writer", roles=[Role.ASSESSOR], units=[unit])
    for name in ("古商城道路改造", "城市公园提升", "老旧小区改造"):
        make_assessment(unit=unit, author=author, project_name=name)
    make_assessment(unit=unit, author=author, project_name="智慧城市", mode="standard")
    return make_user("bob", roles=[Role.REVIEWER], units=[unit], first_name="审核")


def test_the_dashboard_draws_each_chart_beside_its_table(page, screenshot, bob):
    login(page, "bob", PASSWORD)
    page.get_by_role("link", name="统计").click()
    expect(page.get_by_role("heading", name="统计", level=1)).to_be_visible()
    expect(page.get_by_text("您可查看的评估共 4 项")).to_be_visible()
    # Every chart was drawn by the vendored ECharts (SVG), none failed.
    charts = page.locator("[data-chart]")
    expect(charts).to_have_count(5)
    for index in range(5):
        expect(charts.nth(index).locator("svg")).to_have_count(1)
    mode = page.get_by_role("region", name="按评估方式")
    expect(mode.get_by_role("row", name="简易评估 3")).to_be_visible()
    expect(mode.get_by_role("row", name="一般评估 1")).to_be_visible()
    screenshot(page, "dashboard")
