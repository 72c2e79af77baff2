"""Pages run a fixed number of queries, whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.wizard import STEPS
from tests.factories import complete_assessment, make_assessment

pytestmark = pytest.mark.django_db


def grow(assessment, risk_scheme, n: int) -> None:
    services.contacts_replace(
        assessment=assessment,
        side="responsible",
        rows=[
            {"name": f"联系人{i}", "position": "科员", "phone": f"138000000{i:02d}"}
            for i in range(n)
        ],
    )
    services.risk_points_replace(
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


def test_the_list_runs_a_fixed_number_of_queries(
    client, assessor, unit, risk_scheme, django_assert_num_queries
):
    client.force_login(assessor)
    first = complete_assessment(make_assessment(unit=unit, author=assessor))
    grow(first, risk_scheme, 3)
    few = count(client, reverse("assessments:list"))
    for _ in range(15):
        grow(complete_assessment(make_assessment(unit=unit, author=assessor)), risk_scheme, 3)

    with django_assert_num_queries(few):
        client.get(reverse("assessments:list") + "?q=测试&status=draft&ordering=project_name")


def test_the_home_page_runs_a_fixed_number_of_queries(client, assessor, unit, risk_scheme):
    client.force_login(assessor)
    make_assessment(unit=unit, author=assessor)
    few = count(client, reverse("assessments:home"))
    for _ in range(8):
        grow(make_assessment(unit=unit, author=assessor), risk_scheme, 2)

    assert count(client, reverse("assessments:home")) == few


def test_the_detail_page_runs_a_fixed_number_of_queries(client, assessor, unit, risk_scheme):
    client.force_login(assessor)
    small = complete_assessment(make_assessment(unit=unit, author=assessor))
    large = complete_assessment(make_assessment(unit=unit, author=assessor))
    grow(small, risk_scheme, 1)
    grow(large, risk_scheme, 10)

    assert count(client, small.get_absolute_url()) == count(client, large.get_absolute_url())
