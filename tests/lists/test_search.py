"""Search over project name, responsible entity, contact names and report number."""

import pytest
from django.db import connection
from django.urls import reverse

from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.lists import search
from assessments.models import Assessment
from assessments.services import editing, workflow
from tests.factories import complete_assessment, make_assessment

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
    workflow.assessment_submit(assessment=road, actor=assessor)
    approve_and_issue(assessment=road, actor=reviewer)
    report = tasks.issue_report(assessment_id=road.pk)
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
    assert search.bigrams("道路改造") == sorted(["道路", "路改", "改造"])
    assert search.bigrams("路") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index is PostgreSQL's")
@pytest.mark.parametrize("term", ["道路", "道路改造"])
def test_postgresql_answers_from_the_bigram_index(road, park, term):
    with connection.cursor() as cursor:
        # Two rows would be read whole; show the planner can answer from the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
    probe = search.bigram_candidates(Assessment.objects.all(), [term])

    assert "assessment_search_bigrams" in probe.explain()
    assert list(probe) == [road.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index is PostgreSQL's")
def test_a_common_term_pages_in_order_and_is_counted_only_as_far_as_shown(
    client, assessor, unit, risk_scheme, monkeypatch
):
    monkeypatch.setattr(search, "PROBE_LIMIT", 3)
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
    matches = search.matching(Assessment.objects.all(), "道路")
    assert matches.many and matches.queryset.count() == 6
    for n in range(20):
        make_assessment(unit=unit, author=assessor, project_name=f"道路改{n}")
    longer = client.get(reverse("assessments:list"), {"q": "道路"})
    assert longer.context["page"].count is None
    assert "多项评估符合条件" in longer.text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index is PostgreSQL's")
def test_postgresql_bigrams_are_cut_as_python_cuts_them(road):
    with connection.cursor() as cursor:
        cursor.execute("SELECT zhoucun_bigrams(%s)", ["古商城 道路\n改造"])
        (grams,) = cursor.fetchone()

    assert sorted(grams) == sorted(
        set(search.bigrams("古商城")) | set(search.bigrams("道路")) | set(search.bigrams("改造"))
    )
