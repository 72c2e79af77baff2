"""On a 390 px phone the assessment list becomes cards and shows whole project names."""

from assessments.demo import ensure_risk_scheme
from assessments.models import Role
from tests.factories import PASSWORD, make_assessment, make_unit, make_user

from .conftest import login, visit

NAMES = [
    "周村古商城周边道路提升改造工程",
    "周村区2026年度老旧小区改造项目",
    "城北片区雨污分流改造工程",
]


def test_the_list_on_a_phone_shows_whole_project_names(page, screenshot, transactional_db):
    ensure_risk_scheme()
    unit = make_unit("周村区大数据局")
    alice = make_user("alice", roles=[Role.ASSESSOR], units=[unit])
    for name in NAMES:
        make_assessment(
            unit=unit, author=alice, project_name=name, responsible_entity="区住房城乡建设局"
        )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "alice", PASSWORD)

    visit(page, page.base_url + "/assessments/")

    assert not page.locator("table.card-table thead").is_visible()  # cards, not columns
    for name in NAMES:
        link = page.get_by_role("link", name=name, exact=True)
        assert link.is_visible()
        box = link.bounding_box()
        line = float(link.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24"))
        # Whole: on one line (the nine-column table squeezed it to a character or two a line).
        assert box["height"] < 1.5 * line, (name, box, line)
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (name, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    screenshot(page, "mobile-list-390")
