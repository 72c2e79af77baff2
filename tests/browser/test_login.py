from assessments.demo import ensure_risk_scheme
from assessments.models import Role
from tests.factories import PASSWORD, make_assessment, make_unit, make_user

from .conftest import login


def test_an_assessor_logs_in_and_sees_the_units_assessments(page, screenshot, transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    alice = make_user("alice", roles=[Role.ASSESSOR], units=[unit])
    make_assessment(unit=unit, author=alice, project_name="周村古商城道路改造")

    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url
    screenshot(page, "00-login")
    login(page, "alice", PASSWORD)

    assert page.url == page.base_url + "/"
    assert page.get_by_text("周村古商城道路改造").is_visible()
    screenshot(page, "01-home")


def test_a_wrong_password_is_refused_in_chinese(page, transactional_db):
    unit = make_unit()
    make_user("alice", roles=[Role.ASSESSOR], units=[unit])

    login(page, "alice", "wrong-password")

    assert "/accounts/login/" in page.url
    assert page.get_by_text("请输入一个正确的").is_visible()
