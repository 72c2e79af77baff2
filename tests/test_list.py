import pytest
from django.urls import reverse

from assessments import services, workflow
from assessments.templatetags.assessment_tags import mask_phone
from tests.factories import complete_assessment, complete_standard, make_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(unit, assessor, risk_scheme):
    road = make_assessment(
        unit=unit, author=assessor, project_name="古商城道路改造", responsible_entity="区住建局"
    )
    park = make_assessment(
        unit=unit, author=assessor, project_name="城市公园提升", responsible_entity="区园林中心"
    )
    # A standard assessment must hold its records to be submitted (issue 10).
    city = complete_standard(
        complete_assessment(
            make_assessment(
                unit=unit, author=assessor, project_name="智慧城市顶层设计", mode="standard"
            )
        )
    )
    return road, park, city


def names(response) -> list[str]:
    return [a.project_name for a in response.context["page"]]


def test_search_finds_a_chinese_substring_of_the_project_name(client, assessor, three):
    client.force_login(assessor)

    response = client.get(reverse("assessments:list"), {"q": "商城"})

    assert names(response) == ["古商城道路改造"]


def test_search_finds_a_chinese_substring_of_the_responsible_entity(client, assessor, three):
    client.force_login(assessor)

    response = client.get(reverse("assessments:list"), {"q": "园林"})

    assert names(response) == ["城市公园提升"]


def test_filters_by_status_mode_and_level(client, assessor, three):
    city = three[2]
    workflow.assessment_submit(assessment=city, actor=assessor)
    client.force_login(assessor)

    by_status = client.get(reverse("assessments:list"), {"status": "submitted"})
    by_mode = client.get(reverse("assessments:list"), {"mode": "standard"})
    by_level = client.get(reverse("assessments:list"), {"risk_level": city.risk_level_id})

    assert names(by_status) == ["智慧城市顶层设计"]
    assert names(by_mode) == ["智慧城市顶层设计"]
    assert names(by_level) == ["智慧城市顶层设计"]


def test_ordering_by_project_name(client, assessor, three):
    client.force_login(assessor)

    response = client.get(reverse("assessments:list"), {"ordering": "project_name"})

    assert names(response) == sorted(names(response))


def test_a_bad_filter_value_is_ignored_not_an_error(client, assessor, three):
    client.force_login(assessor)

    response = client.get(reverse("assessments:list"), {"status": "nonsense", "unit": "abc"})

    assert response.status_code == 200
    assert len(names(response)) == 3


def test_the_list_is_paginated(client, assessor, unit, risk_scheme):
    for n in range(23):
        make_assessment(unit=unit, author=assessor, project_name=f"项目{n:02d}")
    client.force_login(assessor)

    first = client.get(reverse("assessments:list"))
    second = client.get(reverse("assessments:list"), {"page": 2})

    assert len(names(first)) == 20
    assert len(names(second)) == 3
    assert "第 1 页，共 2 页" in first.text


def test_phone_numbers_are_masked_in_the_list_and_full_on_the_detail_page(client, assessor, three):
    road = three[0]
    services.contacts_replace(
        assessment=road,
        side="responsible",
        rows=[{"name": "孙立新", "position": "", "phone": "13912345678"}],
    )
    client.force_login(assessor)

    listing = client.get(reverse("assessments:list"))
    detail = client.get(road.get_absolute_url())

    assert "139****5678" in listing.text
    assert "13912345678" not in listing.text
    assert "13912345678" in detail.text


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13800000001", "138****0001"), ("0533-6400001", "053****0001"), ("123", "****")],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_the_home_page_shows_each_role_its_work(client, assessor, reviewer, three):
    city = three[2]
    workflow.assessment_submit(assessment=city, actor=assessor)

    client.force_login(assessor)
    mine = client.get(reverse("assessments:home"))
    client.force_login(reviewer)
    theirs = client.get(reverse("assessments:home"))

    sections = {s["key"]: [a.project_name for a in s["items"]] for s in mine.context["sections"]}
    assert sorted(sections["drafts"]) == ["古商城道路改造", "城市公园提升"]
    review = {s["key"]: [a.project_name for a in s["items"]] for s in theirs.context["sections"]}
    assert review["review"] == ["智慧城市顶层设计"]
    assert "drafts" not in review
