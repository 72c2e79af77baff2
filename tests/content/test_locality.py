"""A locality's rules are data inherited down the unit tree: the nearest unit's setting for a
requirement wins (tighten or loosen), else the operator's national default."""

import json
from importlib import import_module
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import content
from assessments.content.locality import effective_for, lineage
from assessments.models import LocalityRule
from tests.factories import complete_assessment, complete_standard, make_assessment, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(risk_scheme):
    city = make_unit("淄博市委政法委")
    district = make_unit("周村区委政法委", parent=city)
    bureau = make_unit("周村区发展和改革局", parent=district)
    return city, district, bureau


def rule(unit, key, *, mode="standard", required=True, number=None, source="某地实施细则"):
    return LocalityRule.objects.create(
        unit=unit, mode=mode, key=key, required=required, number=number, source=source
    )


def national(key, mode="standard"):
    return LocalityRule.objects.get(unit=None, mode=mode, key=key)


def test_with_no_rule_of_its_own_a_unit_follows_the_national_default(tree):
    bureau = tree[2]

    rules = content.rules_for(bureau)

    assert rules[("standard", "expert_count")] == national("expert_count")
    assert rules[("standard", "expert_count")].number == 3


def test_the_nearest_unit_wins_a_district_loosens_what_the_city_tightened(tree):
    city, district, bureau = tree
    rule(city, "expert_count", number=7, source="市实施细则第十条")
    rule(district, "expert_count", number=2, source="区实施细则第五条")

    assert content.rules_for(city)[("standard", "expert_count")].number == 7
    assert content.rules_for(bureau)[("standard", "expert_count")].number == 2
    assert content.rules_for(bureau)[("standard", "expert_count")].unit == district


def test_a_rule_of_a_unit_outside_the_lineage_does_not_apply(tree):
    city, _district, bureau = tree
    elsewhere = make_unit("张店区委政法委", parent=city)
    rule(elsewhere, "expert_count", number=9)

    assert content.rules_for(bureau)[("standard", "expert_count")] == national("expert_count")


def test_a_loosened_requirement_is_no_longer_a_problem_and_a_tightened_one_is(tree, assessor):
    district, bureau = tree[1], tree[2]
    standard = complete_standard(complete_assessment(make_assessment(unit=bureau, author=assessor)))
    standard.standard_record.meeting_chair = ""
    standard.standard_record.save()
    data = content.assessment_content(standard)
    assert [
        m.step for m in content.missing_requirements(data, rules=content.rules_for(bureau))
    ] == ["decision"]

    rule(district, "meeting_chair", required=False, source="区实施细则第九条")
    rule(district, "activity.hearing", source="区实施细则第八条")
    bureau = type(bureau).objects.get(pk=bureau.pk)  # a new request: nothing kept from before

    missing = content.missing_requirements(data, rules=content.rules_for(bureau))
    assert [(m.step, m.message, m.source, m.set_by) for m in missing] == [
        ("consultation", "公众参与：须开展听证会。", "区实施细则第八条", "周村区委政法委")
    ]


def test_a_counted_rule_of_none_and_an_unknown_key_force_nothing(tree, assessor):
    bureau = tree[2]
    simple = complete_assessment(make_assessment(unit=bureau, author=assessor))
    simple.contacts.all().delete()
    rule(bureau, "contacts_responsible", mode="simple", required=False)
    rule(bureau, "contacts_evaluating", mode="simple", number=0)
    rule(bureau, "no_such_requirement", mode="simple")

    missing = content.missing_requirements(
        content.assessment_content(simple), rules=content.rules_for(bureau)
    )

    assert missing == []


def test_the_rules_in_force_cost_one_query_whatever_the_number_of_rules(tree):
    city, district, bureau = tree
    for key in ("expert_count", "basis_documents", "other_activity_kinds"):
        rule(city, key, number=4)
        rule(district, key, number=5)
    bureau = type(bureau).objects.get(pk=bureau.pk)
    lineage(bureau)  # the walk up the tree (one query per level) is kept for the request
    with CaptureQueriesContext(connection) as queries:
        first = content.rules_for(bureau)
        again = content.rules_for(bureau)

    assert len(queries) == 1
    assert first is again
    assert len(first) == LocalityRule.objects.filter(unit=None).count()


def test_the_walk_up_the_tree_is_one_query_per_level(tree):
    bureau = type(tree[2]).objects.get(pk=tree[2].pk)

    with CaptureQueriesContext(connection) as queries:
        content.rules_for(bureau)

    assert len(queries) == 3  # the district, the city, then the rules of all three at once


def test_the_helper_is_generic_any_rows_keyed_any_way(tree):
    city, district, bureau = tree
    rule(city, "expert_count", number=7)
    rule(district, "basis_documents", number=2)

    found = effective_for(bureau, LocalityRule.objects.filter(mode="standard"), key=lambda r: r.key)

    assert found["expert_count"].unit == city
    assert found["basis_documents"].unit == district
    assert found["opinions"].unit is None


def test_the_migration_seeds_the_same_national_defaults_as_the_fixture():
    migration = import_module("assessments.migrations.0015_locality_rules")
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "standard_rules.json"
    rows = [r for r in json.loads(fixture.read_text()) if r["model"] == "assessments.localityrule"]

    assert [
        (
            r["pk"],
            r["fields"]["mode"],
            r["fields"]["key"],
            r["fields"]["required"],
            r["fields"]["number"],
            r["fields"]["source"],
        )
        for r in rows
    ] == [tuple(row) for row in migration.NATIONAL_DEFAULTS]
    assert all(r["fields"]["unit"] is None for r in rows)


def test_every_seeded_key_is_one_the_check_knows():
    from assessments.content.requirements import ACTIVITY_PREFIX, BY_KEY

    migration = import_module("assessments.migrations.0015_locality_rules")
    for _pk, mode, key, *_rest in migration.NATIONAL_DEFAULTS:
        assert key.startswith(ACTIVITY_PREFIX) or mode in BY_KEY[key].modes, key
