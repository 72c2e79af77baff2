"""A unit's rules in the product: a district office's administrator tightens or loosens what
its units' assessments must contain, over HTTP, audited; other districts are unaffected."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import content
from assessments.models import AuditAction, AuditEvent, LocalityRule, Role, Status
from assessments.services import workflow
from tests.factories import (
    complete_assessment,
    complete_standard,
    make_assessment,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(risk_scheme):
    return make_unit("淄博市委政法委")


@pytest.fixture
def district(city):
    return make_unit("周村区委政法委", parent=city)


@pytest.fixture
def bureau(district):
    return make_unit("周村区发展和改革局", parent=district)


@pytest.fixture
def other_district(city):
    return make_unit("张店区委政法委", parent=city)


@pytest.fixture
def other_bureau(other_district):
    return make_unit("张店区发展和改革局", parent=other_district)


@pytest.fixture
def district_admin(district):
    return make_user("dora", roles=[Role.UNIT_ADMIN], units=[district])


@pytest.fixture
def bureau_admin(bureau):
    return make_user("bert", roles=[Role.UNIT_ADMIN], units=[bureau])


def edit_url(unit, key, mode="standard"):
    return reverse("units:rule_edit", args=[unit.pk, mode, key])


def reset_url(unit, key, mode="standard"):
    return reverse("units:rule_reset", args=[unit.pk, mode, key])


def standard_in(unit, **record):
    author = make_user(f"author-{unit.pk}", roles=[Role.ASSESSOR], units=[unit])
    standard = complete_standard(complete_assessment(make_assessment(unit=unit, author=author)))
    for field, value in record.items():
        setattr(standard.standard_record, field, value)
    standard.standard_record.save()
    return standard, author


def checklist_of(client, assessment, author):
    client.force_login(author)
    response = client.get(reverse("assessments:step", args=[assessment.pk, "preview"]))
    assert response.status_code == 200
    return response


def test_a_districts_rule_changes_what_its_units_must_contain_and_not_another_districts(
    client, district, bureau, other_bureau, district_admin
):
    ours, our_author = standard_in(bureau)
    theirs, their_author = standard_in(other_bureau)
    assert checklist_of(client, ours, our_author).context["checklist"] == []

    client.force_login(district_admin)
    response = client.post(
        edit_url(district, "activity.hearing"),
        {"required": "1", "source": "《周村区重大决策社会稳定风险评估实施细则》第八条"},
    )
    assert response.status_code == 302

    checklist = checklist_of(client, ours, our_author).context["checklist"]
    assert [(i["slug"], i["message"], i["set_by"]) for i in checklist] == [
        ("consultation", "公众参与：须开展听证会。", "周村区委政法委")
    ]
    page = checklist_of(client, ours, our_author).text
    assert "《周村区重大决策社会稳定风险评估实施细则》第八条" in page
    assert "由周村区委政法委设定" in page
    with pytest.raises(workflow.TransitionRefused):
        workflow.assessment_submit(assessment=ours, actor=our_author)
    assert checklist_of(client, theirs, their_author).context["checklist"] == []

    event = AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).latest("id")
    assert event.user == district_admin
    assert event.object_id == str(district.pk)
    assert "standard/activity.hearing inherited → required" in event.detail
    assert "第八条" in event.detail


def test_a_district_loosens_a_requirement_and_its_units_may_submit_without_it(
    client, district, bureau, other_bureau, district_admin
):
    ours, our_author = standard_in(bureau, meeting_chair="")
    theirs, their_author = standard_in(other_bureau, meeting_chair="")
    client.force_login(district_admin)

    client.post(
        edit_url(district, "meeting_chair"),
        {"required": "0", "source": "周村区实施细则第十二条（主持人可不载明）"},
    )

    assert (
        content.missing_requirements(
            content.assessment_content(ours), rules=content.rules_for(ours.owner_unit)
        )
        == []
    )
    workflow.assessment_submit(assessment=ours, actor=our_author)
    assert ours.__class__.objects.get(pk=ours.pk).status == Status.SUBMITTED
    assert [i["slug"] for i in checklist_of(client, theirs, their_author).context["checklist"]] == [
        "decision"
    ]


def test_a_counted_rule_is_tightened_and_reset_to_the_inherited_one(
    client, district, bureau, district_admin
):
    client.force_login(district_admin)
    client.post(
        edit_url(district, "expert_count"), {"required": "1", "number": "5", "source": "区细则"}
    )
    assert content.rules_for(bureau)[("standard", "expert_count")].number == 5

    response = client.post(reset_url(district, "expert_count"))

    assert response.status_code == 302
    in_force = content.rules_for(type(bureau).objects.get(pk=bureau.pk))
    assert in_force[("standard", "expert_count")].unit is None
    assert in_force[("standard", "expert_count")].number == 3
    event = AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).latest("id")
    assert "reset to inherited (was at least 5" in event.detail


def test_the_rules_page_shows_inherited_value_source_and_who_set_it(
    client, city, district, bureau, district_admin
):
    LocalityRule.objects.create(
        unit=city, mode="standard", key="expert_count", number=4, source="淄博市实施细则第六条"
    )
    client.force_login(district_admin)

    response = client.get(reverse("units:rules", args=[district.pk]))

    assert response.status_code == 200
    assert response.context["can_edit"] is True
    assert "淄博市实施细则第六条" in response.text
    assert "淄博市委政法委" in response.text
    assert "不少于4" in response.text
    assert "国家默认值" in response.text
    edit = client.get(edit_url(district, "expert_count"))
    assert "淄博市实施细则第六条" in edit.text


def test_bad_input_is_refused_beside_the_field_and_kept(client, district, bureau, district_admin):
    client.force_login(district_admin)

    response = client.post(
        edit_url(district, "expert_count"), {"required": "1", "number": "", "source": "  "}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["number"] == ["请填写要求的数量。"]
    assert form.errors["source"] == ["请写明该设置所依据的文件和条款。"]
    assert 'value="1" checked' in response.text or "checked" in response.text
    assert not LocalityRule.objects.filter(unit=district).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).exists()


def test_a_leaf_units_administrator_sees_the_rules_read_only(client, bureau, bureau_admin):
    client.force_login(bureau_admin)

    page = client.get(reverse("units:rules", args=[bureau.pk]))
    edit = client.post(edit_url(bureau, "meeting_chair"), {"required": "0", "source": "自定"})
    reset = client.post(reset_url(bureau, "meeting_chair"))

    assert page.status_code == 200 and page.context["can_edit"] is False
    assert 'id="rules-read-only"' in page.text
    assert (
        reverse("units:rule_edit", args=[bureau.pk, "standard", "meeting_chair"]) not in page.text
    )
    assert (edit.status_code, reset.status_code) == (403, 403)
    assert not LocalityRule.objects.filter(unit=bureau).exists()
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.PERMISSION_DENIED, object_id=str(bureau.pk)
        ).count()
        == 2
    )


@pytest.mark.parametrize("who", ["other_admin", "bureau_admin", "assessor_of_district"])
def test_others_cannot_see_or_edit_a_districts_rules(
    client, district, other_district, bureau_admin, who
):
    user = {
        "other_admin": lambda: make_user("olga", roles=[Role.UNIT_ADMIN], units=[other_district]),
        "bureau_admin": lambda: bureau_admin,  # an administrator below is not one above
        "assessor_of_district": lambda: make_user("ann", roles=[Role.ASSESSOR], units=[district]),
    }[who]()
    client.force_login(user)

    responses = [
        client.get(reverse("units:rules", args=[district.pk])),
        client.get(edit_url(district, "meeting_chair")),
        client.post(edit_url(district, "meeting_chair"), {"required": "0", "source": "x"}),
        client.post(reset_url(district, "meeting_chair")),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert not LocalityRule.objects.filter(unit=district).exists()
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 4


def test_an_unknown_requirement_or_mode_is_a_404(client, district, bureau, district_admin):
    client.force_login(district_admin)

    assert client.get(edit_url(district, "no_such_rule")).status_code == 404
    assert client.get(edit_url(district, "mode_reason", mode="standard")).status_code == 404
    assert client.get(edit_url(district, "findings", mode="express")).status_code == 404


def test_a_change_without_the_csrf_token_is_refused(district, bureau, district_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(district_admin)

    response = client.post(edit_url(district, "meeting_chair"), {"required": "0", "source": "x"})

    assert response.status_code == 403
    assert not LocalityRule.objects.filter(unit=district).exists()


def test_the_rules_page_reads_a_fixed_number_of_queries(
    client, city, district, bureau, district_admin
):
    client.force_login(district_admin)
    url = reverse("units:rules", args=[district.pk])
    client.get(url)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for key in ("expert_count", "basis_documents", "other_activity_kinds", "meeting_chair"):
        LocalityRule.objects.create(unit=city, mode="standard", key=key, number=2, source="市细则")
        LocalityRule.objects.create(
            unit=district, mode="standard", key=key, number=3, source="区细则"
        )

    assert count() == few
