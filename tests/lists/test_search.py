"""Search over project name, responsible entity, contact names and report number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.lists import search
from assessments.models import Assessment, Role, Status
from assessments.services import editing
from tests.factories import complete_assessment, issue, make_assessment, make_unit, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def road(unit, assessor, risk_scheme):
    road = make_assessment(
        unit=unit, author=assessor, project_name="古商城道路改造", responsible_entity="区住建局"
    )
    editing.contacts_replace(
        assessment=road,
        side="responsible",
        rows=[{"name": "孙立新", "position": "科长", "phone": "13912345678"}],
    )
    return road


@pytest.fixture
def park(unit, assessor, risk_scheme):
    park = make_assessment(
        unit=unit, author=assessor, project_name="城市公园提升", responsible_entity="区园林中心"
    )
    editing.contacts_replace(
        assessment=park,
        side="evaluator",
        rows=[{"name": "Li Ming", "position": "", "phone": "13800000002"}],
    )
    return park


def found(client, q: str) -> list[str]:
    response = client.get(reverse("assessments:list"), {"q": q})
    assert response.status_code == 200
    return sorted(a.project_name for a in response.context["page"])


def test_search_finds_a_contact_by_name(client, assessor, road, park):
    client.force_login(assessor)

    assert found(client, "孙立新") == ["古商城道路改造"]
    assert found(client, "立新") == ["古商城道路改造"]


def test_search_ignores_case_in_latin_names(client, assessor, road, park):
    client.force_login(assessor)

    assert found(client, "li ming") == ["城市公园提升"]
    assert found(client, "MING") == ["城市公园提升"]


def test_several_terms_must_all_match_in_any_field(client, assessor, road, park):
    client.force_login(assessor)

    assert found(client, "道路 孙立新") == ["古商城道路改造"]
    assert found(client, "道路　住建") == ["古商城道路改造"]  # a full-width space separates too
    assert found(client, "道路 园林") == []


def test_a_one_character_term_is_found_too(client, assessor, road, park):
    client.force_login(assessor)

    assert found(client, "园") == ["城市公园提升"]


def test_like_wildcards_in_a_term_are_plain_characters(client, assessor, road, park):
    client.force_login(assessor)

    assert found(client, "%") == []
    assert found(client, "_") == []


def test_a_renamed_contact_is_found_by_the_new_name_only(client, assessor, road):
    editing.contacts_replace(
        assessment=road,
        side="responsible",
        rows=[{"name": "赵东", "position": "科长", "phone": "13912345678"}],
    )
    client.force_login(assessor)

    assert found(client, "孙立新") == []
    assert found(client, "赵东") == ["古商城道路改造"]


def test_search_finds_an_issued_report_by_its_number(client, assessor, reviewer, unit, road):
    complete_assessment(road)
    report = issue(road, author=assessor, reviewer=reviewer)
    other = make_assessment(unit=unit, author=assessor, project_name="另一个项目")
    client.force_login(assessor)

    assert found(client, report.report_number) == ["古商城道路改造"]
    assert found(client, report.report_number.split("〔")[1]) == ["古商城道路改造"]
    assert other.project_name not in found(client, report.report_number)


def test_search_never_reaches_another_units_assessments(client, outsider, road):
    client.force_login(outsider)

    assert found(client, "孙立新") == []


def test_terms_are_split_on_spaces_deduplicated_and_bounded():
    assert search.search_terms("  道路  改造 道路 ") == ["道路", "改造"]
    assert search.search_terms("a b c d e f g") == ["a", "b", "c", "d", "e"]
    assert search.pieces("道路改造") == sorted(["道路", "路改", "改造"])
    assert search.pieces("路") == ["路"]


def test_unit_keys_name_every_row_where_one_works_and_issued_ones_where_one_oversees():
    assert search.unit_keys([3, 1], [5, 3]) == ["i:5", "u:1", "u:3"]
    assert search.unit_keys([], []) == []


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search index is PostgreSQL's"
)


@on_postgresql
@pytest.mark.parametrize("term", ["路", "道路", "道路改造", "立新"])
def test_postgresql_answers_from_the_index_restricted_to_the_units(road, park, unit, term):
    with connection.cursor() as cursor:
        # Two rows would be read whole, or a whole btree index walked as cheaply: show the
        # planner can answer from the GIN index (the bench shows it does at 1M rows). The
        # test's transaction is rolled back, the index with it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("DROP INDEX assessment_unit_updated_text")
    probe = search.candidates([term], search.unit_keys([unit.pk]))
    plan = probe.explain()

    assert "assessment_search_keys" in plan
    assert f"u:{unit.pk}" in plan.split("Index Cond")[1]
    assert list(probe) == [road.pk]


@on_postgresql
def test_a_term_common_in_another_unit_is_not_found_there(
    client, assessor, outsider, unit, other_unit, road
):
    for n in range(25):  # more than a page, and common in their unit
        make_assessment(unit=other_unit, author=outsider, project_name=f"博山道路{n}")
    mine = make_assessment(unit=unit, author=assessor, project_name="博山公园")
    client.force_login(assessor)

    with CaptureQueriesContext(connection) as captured:
        assert found(client, "博山") == ["博山公园"]
    probes = [q["sql"] for q in captured if "zhoucun_search_keys" in q["sql"]]
    assert len(probes) == 1 and f"u:{other_unit.pk}" not in str(probes)
    assert found(client, "博") == ["博山公园"]
    assert found(client, "鑫") == []
    client.force_login(outsider)
    theirs = found(client, "博山")  # common in their unit: a page of the list's walk
    assert len(theirs) == 20 and all(name.startswith("博山道路") for name in theirs)
    assert mine.project_name not in found(client, "博山 公园")
    assert found(client, "古") == []  # 古商城道路改造 is ours


@on_postgresql
def test_an_overseer_finds_issued_assessments_only(client, risk_scheme):
    county = make_unit("周村区")
    town = make_unit("王村镇", parent=county)
    author = make_user("tess", roles=[Role.ASSESSOR], units=[town])
    overseer = make_user("olga", roles=[Role.OVERSIGHT], units=[county])
    issued = make_assessment(unit=town, author=author, project_name="王村老旧小区改造")
    make_assessment(unit=town, author=author, project_name="王村老旧小区二期")
    Assessment.objects.filter(pk=issued.pk).update(status=Status.ISSUED)
    client.force_login(overseer)

    assert found(client, "老旧小区") == ["王村老旧小区改造"]
    assert found(client, "期") == []
    client.force_login(author)
    assert found(client, "老旧小区") == ["王村老旧小区二期", "王村老旧小区改造"]


@on_postgresql
@pytest.mark.parametrize("q", ["道", "道路", "道路 孙立新", "园林"])
def test_the_search_page_costs_the_same_queries_whatever_the_term(
    client, assessor, road, park, q, django_assert_num_queries
):
    client.force_login(assessor)
    # The session, user and memberships, the filter's units and levels, the sample, the
    # index's ids, the page's keys, its rows with their first contact, the count (a page read
    # writes no session: IdleDeadlineMiddleware; the contacts are no query of their own).
    with django_assert_num_queries(10):
        found(client, q)


@on_postgresql
def test_a_common_term_pages_in_order_and_is_counted_only_as_far_as_shown(
    client, assessor, unit, risk_scheme, monkeypatch
):
    monkeypatch.setattr(search, "COMMON", 3)
    for n in range(6):
        make_assessment(unit=unit, author=assessor, project_name=f"道路{n}")
    make_assessment(unit=unit, author=assessor, project_name="公园")
    client.force_login(assessor)

    response = client.get(reverse("assessments:list"), {"q": "道路"})
    page = response.context["page"]

    assert [a.project_name for a in page] == [f"道路{n}" for n in range(5, -1, -1)]
    # All on one page: the count is what the page shows, nothing more.
    assert page.count == 6
    assert "共 6 项评估" in response.text
    matches = search.matching(Assessment.objects.all(), "道路", ([unit.pk], []))
    assert matches.many and matches.queryset.count() == 6
    for n in range(20):
        make_assessment(unit=unit, author=assessor, project_name=f"道路改{n}")
    longer = client.get(reverse("assessments:list"), {"q": "道路"})
    assert longer.context["page"].count is None
    assert "多项评估符合条件" in longer.text


@on_postgresql
def test_a_rare_term_is_found_through_the_index_and_counted(client, assessor, unit, road, park):
    matches = search.matching(Assessment.objects.all(), "立新", ([unit.pk], []))

    assert not matches.many
    assert list(matches.queryset) == [road]


@on_postgresql
def test_an_index_answer_past_the_limit_falls_back_to_the_ordered_walk(
    assessor, unit, road, park, monkeypatch
):
    monkeypatch.setattr(search, "PROBE_LIMIT", 0)
    matches = search.matching(Assessment.objects.all(), "立新", ([unit.pk], []))

    assert matches.many
    assert list(matches.queryset) == [road]


@on_postgresql
def test_postgresql_pieces_are_cut_as_python_cuts_them(road):
    with connection.cursor() as cursor:
        cursor.execute("SELECT zhoucun_search_keys(7, 'issued', %s)", ["古商城 道路\n改造"])
        (keys,) = cursor.fetchone()

    words = ("古商城", "道路", "改造")
    expected = {c for word in words for c in word} | {g for w in words for g in search.pieces(w)}
    assert sorted(keys) == sorted(expected | {"u:7", "i:7"})


@on_postgresql
@pytest.mark.parametrize("common", [True, False])
def test_a_user_of_two_units_finds_the_term_in_both_and_nowhere_else(
    client, unit, other_unit, risk_scheme, monkeypatch, common
):
    # The sample is taken in each unit; common or rare, the page is the same.
    monkeypatch.setattr(search, "COMMON", 1 if common else 10**6)
    third = make_unit("淄川区大数据局")
    both = make_user("dora", roles=[Role.ASSESSOR], units=[unit, other_unit])
    stranger = make_user("sam", roles=[Role.ASSESSOR], units=[third])
    make_assessment(unit=unit, author=both, project_name="博山公园")
    make_assessment(unit=other_unit, author=both, project_name="博山道路")
    make_assessment(unit=other_unit, author=both, project_name="城北道路")
    make_assessment(unit=third, author=stranger, project_name="博山广场")
    client.force_login(both)

    assert found(client, "博山") == ["博山公园", "博山道路"]
    assert found(client, "道") == ["博山道路", "城北道路"]
    assert found(client, "广场") == []
