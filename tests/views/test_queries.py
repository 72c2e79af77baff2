"""Pages run a fixed number of queries, whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.lists import search
from assessments.services import editing
from assessments.wizard.flow import STEPS
from tests.factories import complete_assessment, make_assessment

pytestmark = pytest.mark.django_db


def grow(assessment, risk_scheme, n: int) -> None:
    editing.contacts_replace(
        assessment=assessment,
        side="responsible",
        rows=[
            {"name": f"联系人{i}", "position": "科员", "phone": f"138000000{i:02d}"}
            for i in range(n)
        ],
    )
    editing.risk_points_replace(
        assessment=assessment,
        rows=[
            {
                "description": f"风险{i}",
                "category": "safety",
                "likelihood": 1 + i % 5,
                "impact": 2,
                "level_after": risk_scheme["low"],
                "mitigation": "措施",
                "responsible_party": "某局",
            }
            for i in range(n)
        ],
    )


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("step", [s.slug for s in STEPS])
def test_each_step_runs_a_fixed_number_of_queries(client, assessor, unit, risk_scheme, step):
    small = complete_assessment(make_assessment(unit=unit, author=assessor))
    large = complete_assessment(make_assessment(unit=unit, author=assessor))
    grow(small, risk_scheme, 1)
    grow(large, risk_scheme, 12)
    client.force_login(assessor)

    def url(assessment):
        return reverse("assessments:step", kwargs={"pk": assessment.pk, "step": step})

    assert count(client, url(small)) == count(client, url(large))


def with_contacts(assessment):
    editing.contacts_replace(
        assessment=assessment,
        side="responsible",
        rows=[{"name": "孙立新", "position": "科长", "phone": "13912345678"}],
    )
    return assessment


LIST_URLS = [
    "",
    "?q=测试&status=draft&ordering=project_name",
    "?q=测试 项目&ordering=-report_date",
    "?ordering=updated_at&mode=simple",
]


@pytest.mark.parametrize("common", [1, 1000], ids=["walked", "through the index"])
@pytest.mark.parametrize("query", LIST_URLS)
def test_the_list_runs_as_many_queries_for_30_rows_as_for_1(
    client, assessor, unit, risk_scheme, query, common, monkeypatch
):
    # A search walks the list when its term is common among the user's newest rows, and
    # asks the index otherwise (lists.search): each way costs the same for 30 rows as for 1.
    monkeypatch.setattr(search, "COMMON", common)
    client.force_login(assessor)
    url = reverse("assessments:list") + query
    with_contacts(make_assessment(unit=unit, author=assessor, project_name="测试项目"))
    one = count(client, url)
    for n in range(29):
        with_contacts(make_assessment(unit=unit, author=assessor, project_name=f"测试项目{n}"))

    assert count(client, url) == one


def test_a_deeper_page_runs_as_many_queries_as_the_first(client, assessor, unit, risk_scheme):
    for n in range(45):
        with_contacts(make_assessment(unit=unit, author=assessor, project_name=f"项目{n}"))
    client.force_login(assessor)
    first = client.get(reverse("assessments:list"))
    after = first.context["page"].next_cursor

    assert count(client, reverse("assessments:list")) == count(
        client, reverse("assessments:list") + f"?after={after}"
    )


def test_two_units_cost_the_same_queries_as_one(client, unit, risk_scheme):
    from assessments.models import Role
    from tests.factories import make_unit, make_user

    one_unit = make_user("solo", roles=[Role.ASSESSOR], units=[unit])
    second = make_unit("南区局")
    two_units = make_user("duo", roles=[Role.ASSESSOR], units=[unit, second])
    for n in range(3):
        with_contacts(make_assessment(unit=unit, author=one_unit, project_name=f"甲{n}"))
        with_contacts(make_assessment(unit=second, author=two_units, project_name=f"乙{n}"))

    client.force_login(one_unit)
    solo = count(client, reverse("assessments:list"))
    client.force_login(two_units)

    assert count(client, reverse("assessments:list")) == solo


def test_the_home_page_runs_as_many_queries_for_30_rows_as_for_1(
    client, assessor, unit, risk_scheme
):
    client.force_login(assessor)
    make_assessment(unit=unit, author=assessor)
    one = count(client, reverse("assessments:home"))
    for _ in range(29):
        with_contacts(make_assessment(unit=unit, author=assessor))

    assert count(client, reverse("assessments:home")) == one


def test_the_review_queue_runs_as_many_queries_for_30_rows_as_for_1(
    client, assessor, reviewer, unit, risk_scheme
):
    from assessments.services import workflow

    def submitted():
        assessment = complete_assessment(make_assessment(unit=unit, author=assessor))
        workflow.assessment_submit(assessment=assessment, actor=assessor)

    client.force_login(reviewer)
    submitted()
    one = count(client, reverse("assessments:review_queue"))
    for _ in range(29):
        submitted()

    assert count(client, reverse("assessments:review_queue")) == one


def test_the_detail_page_runs_a_fixed_number_of_queries(client, assessor, unit, risk_scheme):
    client.force_login(assessor)
    small = complete_assessment(make_assessment(unit=unit, author=assessor))
    large = complete_assessment(make_assessment(unit=unit, author=assessor))
    grow(small, risk_scheme, 1)
    grow(large, risk_scheme, 10)

    assert count(client, small.get_absolute_url()) == count(client, large.get_absolute_url())
