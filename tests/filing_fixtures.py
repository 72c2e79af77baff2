"""Shared set-up of the 备案 tests: a city above a district above a bureau, an issued
report of the bureau, and the people of each unit."""

import pytest

from assessments.models import Assessment, Role, Status
from assessments.services import editing
from tests import factories
from tests.factories import complete_assessment, make_assessment, make_unit, make_user


@pytest.fixture
def city(db):
    return make_unit("淄博市委政法委")


@pytest.fixture
def district(city):
    return make_unit("周村区委政法委", parent=city)


@pytest.fixture
def bureau(district):
    return make_unit("周村区住建局", parent=district)


@pytest.fixture
def clerk(bureau):
    return make_user("clara", roles=[Role.CLERK], units=[bureau])


@pytest.fixture
def author(bureau):
    return make_user("tina", roles=[Role.ASSESSOR], units=[bureau])


@pytest.fixture
def bureau_reviewer(bureau):
    return make_user("rick", roles=[Role.REVIEWER], units=[bureau])


@pytest.fixture
def overseer(district):
    return make_user("olga", roles=[Role.OVERSIGHT], units=[district])


@pytest.fixture
def city_overseer(city):
    return make_user("cora", roles=[Role.OVERSIGHT], units=[city])


@pytest.fixture
def stranger(db):
    return make_user("sam", roles=[Role.CLERK, Role.OVERSIGHT], units=[make_unit("张店区")])


def issue(assessment, reviewer) -> Assessment:
    """The assessment issued (by its author's submission), as read back."""
    factories.issue(assessment, author=assessment.author, reviewer=reviewer)
    issued = Assessment.objects.get(pk=assessment.pk)
    assert issued.status == Status.ISSUED
    return issued


@pytest.fixture
def issued(bureau, author, bureau_reviewer, risk_scheme):
    assessment = complete_assessment(
        make_assessment(unit=bureau, author=author, project_name="青石桥片区雨污分流改造工程")
    )
    editing.risk_points_replace(
        assessment=assessment,
        rows=[
            {
                "description": f"施工扰民风险{i}",
                "category": "safety",
                "likelihood": 2,
                "impact": 2,
                "level_after": risk_scheme["low"],
                "mitigation": f"错峰施工措施{i}",
            }
            for i in range(2)
        ],
    )
    return issue(assessment, bureau_reviewer)
