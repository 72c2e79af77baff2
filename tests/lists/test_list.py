import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from assessments.lists.queries import ORDERS
from assessments.models import Assessment, Role
from assessments.services import editing, workflow
from assessments.templatetags.assessment_tags import mask_phone
from tests.factories import (
    complete_assessment,
    complete_standard,
    make_assessment,
    make_unit,
    make_user,
)

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


def follow(client, response, rel: str):
    """The page behind the response's Next or Previous link."""
    link = re.search(rf'rel="{rel}" href="\?([^"]+)"', response.text)
    assert link, f"no {rel} link"
    return client.get(reverse("assessments:list") + "?" + html.unescape(link.group(1)))


def test_the_list_is_paginated_by_keyset(client, assessor, unit, risk_scheme):
    for n in range(23):
        make_assessment(unit=unit, author=assessor, project_name=f"项目{n:02d}")
    client.force_login(assessor)

    first = client.get(reverse("assessments:list"))
    second = follow(client, first, "next")
    back = follow(client, second, "prev")

    assert names(first) == [f"项目{n:02d}" for n in range(22, 2, -1)]
    assert names(second) == ["项目02", "项目01", "项目00"]
    assert names(back) == names(first)
    assert 'rel="next"' not in second.text
    assert "共 23 项评估" in first.text


@pytest.mark.parametrize("ordering", list(ORDERS))
def test_paging_through_any_order_shows_every_row_once_even_with_ties(
    client, assessor, unit, risk_scheme, ordering
):
    for n in range(25):
        make_assessment(
            unit=unit,
            author=assessor,
            project_name=f"项目{n % 4}",
            report_date=None if n % 5 == 0 else datetime.date(2026, 1, 1 + n % 3),
        )
    # Ties in the order: only the id tells these rows apart.
    Assessment.objects.filter(project_name="项目1").update(updated_at=timezone.now())
    client.force_login(assessor)

    pages = [client.get(reverse("assessments:list"), {"ordering": ordering})]
    while 'rel="next"' in pages[-1].text:
        pages.append(follow(client, pages[-1], "next"))
    seen = [a.pk for page in pages for a in page.context["page"]]

    assert len(pages) == 2
    assert sorted(seen) == sorted(Assessment.objects.values_list("pk", flat=True))
    assert len(set(seen)) == 25


@pytest.mark.parametrize("ordering", list(ORDERS))
def test_a_user_of_two_units_pages_through_one_list_in_order_across_units(
    client, risk_scheme, ordering
):
    north, south = make_unit("北区局"), make_unit("南区局")
    both = make_user("both", roles=[Role.ASSESSOR], units=[north, south])
    for n in range(26):
        make_assessment(
            unit=north if n % 3 else south,
            author=both,
            project_name=f"项目{n % 7:02d}",
            report_date=None if n % 4 == 0 else datetime.date(2026, 1, 1 + n % 5),
        )
    order = ORDERS[ordering]
    expected = list(
        Assessment.objects.annotate(**order.annotations)
        .order_by(*order.order_by())
        .values_list("pk", flat=True)
    )
    client.force_login(both)

    pages = [client.get(reverse("assessments:list"), {"ordering": ordering})]
    while 'rel="next"' in pages[-1].text:
        pages.append(follow(client, pages[-1], "next"))
    back = follow(client, pages[-1], "prev")

    assert [a.pk for page in pages for a in page.context["page"]] == expected
    assert [a.pk for a in back.context["page"]] == expected[:20]
    assert pages[0].context["page"].count == 26


def test_a_malformed_cursor_shows_the_first_page(client, assessor, three):
    client.force_login(assessor)

    for cursor in ["nonsense", "WzEsMl0", "W10", "eyJhIjoxfQ"]:
        response = client.get(reverse("assessments:list"), {"after": cursor})
        assert response.status_code == 200
        assert len(names(response)) == 3


def test_phones_and_names_show_as_cards_on_a_phone_and_a_table_on_wider_screens(
    client, assessor, three
):
    client.force_login(assessor)

    response = client.get(reverse("assessments:list"))

    # app.css turns a .card-table into one card per row below 576 px, each cell labelled.
    assert 'class="table table-hover bg-white shadow-sm align-middle card-table"' in response.text
    assert '<td data-label="责任主体">区住建局</td>' in response.text


def test_phone_numbers_are_masked_in_the_list_and_full_on_the_detail_page(client, assessor, three):
    road = three[0]
    editing.contacts_replace(
        assessment=road,
        side="responsible",
        rows=[{"name": "孙立新", "position": "", "phone": "13912345678"}],
    )
    client.force_login(assessor)

    listing = client.get(reverse("assessments:list"))
    detail = client.get(road.get_absolute_url())

    assert "139****5678" in listing.text
    assert "13912345678" not in listing.text
    # As a reader sees it (the detail's report preview holds paragraph ends in a span).
    assert "13912345678" in strip_tags(detail.text)


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


def test_the_list_rows_escape_what_was_entered_and_an_empty_list_says_so(
    client, assessor, unit, risk_scheme
):
    # The rows are drawn by the list_rows tag, not the template engine: escaping is its own.
    client.force_login(assessor)
    empty = client.get(reverse("assessments:list"))
    road = make_assessment(
        unit=unit, author=assessor, project_name='<b>古商城</b>"道路"', responsible_entity="区<i>局"
    )
    editing.contacts_replace(
        assessment=road,
        side="responsible",
        rows=[{"name": "孙<立新>", "position": "", "phone": "13912345678"}],
    )

    listing = client.get(reverse("assessments:list"))

    assert "没有符合条件的评估。" in empty.text
    assert "没有符合条件的评估。" not in listing.text
    assert "&lt;b&gt;古商城&lt;/b&gt;&quot;道路&quot;" in listing.text
    assert '<td data-label="责任主体">区&lt;i&gt;局</td>' in listing.text
    assert "孙&lt;立新&gt; <span" in listing.text
    assert "<b>古商城" not in listing.text and "<i>局" not in listing.text
    assert f'<a href="{road.get_absolute_url()}">' in listing.text
