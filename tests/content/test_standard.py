"""Standard mode (一般评估): its steps, records, computed figures and the rules before submit."""

import datetime

import pytest
from django.urls import reverse

from assessments import content
from assessments.models import (
    ActivityKind,
    Assessment,
    ConsultationActivity,
    Opinion,
    Status,
)
from assessments.services import workflow
from tests.factories import complete_assessment, complete_standard, make_assessment
from tests.wizard.test_wizard import management, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(assessor, unit, risk_scheme):
    return complete_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))


def rows(prefix, items, initial=0):
    data = management(prefix, len(items), initial)
    for index, row in enumerate(items):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def test_a_complete_standard_assessment_meets_every_rule(standard):
    assert content.missing_requirements(content.assessment_content(standard)) == []


def test_standard_mode_adds_its_steps_in_the_procedures_order(client, assessor, standard):
    client.force_login(assessor)

    response = client.get(step_url(standard, "consultation"))

    slugs = [item["step"].slug for item in response.context["steps"]]
    assert slugs == [*content.STANDARD_ORDER, "preview"]


def test_a_simple_assessment_has_no_standard_steps(client, assessor, unit, risk_scheme):
    simple = make_assessment(unit=unit, author=assessor)
    client.force_login(assessor)

    assert client.get(step_url(simple, "consultation")).status_code == 404


def test_rows_are_added_reordered_and_keep_what_points_at_them(client, assessor, standard):
    client.force_login(assessor)
    activities = list(standard.activities.order_by("order"))
    forum = activities[2]
    kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
    posted = [
        {
            "id": a.pk,
            "kind": a.kind_id,
            "start_date": a.start_date.isoformat(),
            "place": a.place,
            "summary": a.summary,
            "ORDER": str(3 - n),  # reversed
        }
        for n, a in enumerate(activities)
    ]
    posted[0]["DELETE"] = "on"  # the notice goes
    posted.append(
        {
            "kind": kinds["hearing"].pk,
            "start_date": "2026-09-15",
            "place": "区政府礼堂",
            "participants": "40",
            "summary": "听证会上多数代表赞成。",
            "ORDER": "4",
        }
    )
    data = {"lock_version": standard.lock_version, "nav": "save"}
    data.update(rows("activities", posted, initial=3))

    response = client.post(step_url(standard, "consultation"), data)

    assert response.status_code == 302, response.context and response.context["forms"]
    names = [a.kind.code for a in standard.activities.order_by("order")]
    assert names == ["forum", "questionnaire", "hearing"]
    assert standard.activities.get(kind__code="forum").pk == forum.pk
    assert Opinion.objects.get(assessment=standard).activity_id == forum.pk


def test_an_opinion_not_adopted_needs_its_reason_beside_the_field(client, assessor, standard):
    client.force_login(assessor)
    data = {"lock_version": standard.lock_version, "nav": "save"}
    data.update(
        rows(
            "opinions",
            [{"raised_by": "residents", "content": "要求增加补偿。", "adoption": "not_adopted"}],
        )
    )

    response = client.post(step_url(standard, "opinions"), data)

    assert response.status_code == 200
    assert "请说明未采纳或部分采纳的理由" in response.text
    assert Opinion.objects.filter(assessment=standard).count() == 1


@pytest.mark.parametrize(
    ("model", "step"),
    [
        ("basis_documents", "basis"),
        ("working_group", "subject"),
        ("activities", "consultation"),
        ("opinions", "opinions"),
        ("experts", "expert"),
        ("emergency_contacts", "emergency"),
    ],
)
def test_submit_is_refused_naming_each_missing_part(assessor, standard, model, step):
    getattr(standard, model).all().delete()
    standard = Assessment.objects.get(pk=standard.pk)
    missing = content.missing_requirements(content.assessment_content(standard))
    assert {item.step for item in missing} == {step}

    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_submit(assessment=standard, actor=assessor)

    assert all(item.message in str(refused.value.message) for item in missing)
    assert Assessment.objects.get(pk=standard.pk).status == Status.DRAFT


def test_the_decision_and_the_resolution_of_risks_are_required(assessor, standard):
    record = standard.standard_record
    record.decision = None
    record.save()
    standard.risk_points.update(resolution_state="")

    missing = content.missing_requirements(
        content.assessment_content(Assessment.objects.get(pk=standard.pk))
    )

    assert {item.step for item in missing} == {"decision", "risks"}


def test_switching_mode_keeps_the_other_modes_data(client, assessor, standard):
    client.force_login(assessor)
    data = {
        "title": standard.title,
        "project_name": standard.project_name,
        "responsible_entity": standard.responsible_entity,
        "mode": "simple",
        "mode_reason": "项目影响范围小。",
        "evaluating_unit": standard.evaluating_unit,
        "report_date": "2026-11-01",
        "lock_version": standard.lock_version,
        "nav": "save",
    }
    client.post(step_url(standard, "project"), data)
    simple = Assessment.objects.get(pk=standard.pk)
    assert simple.mode == "simple"
    assert content.missing_requirements(content.assessment_content(simple)) == []

    simple.mode = "standard"
    simple.save()

    again = Assessment.objects.get(pk=standard.pk)
    assert content.missing_requirements(content.assessment_content(again)) == []
    assert again.activities.count() == 3


def test_the_figures_are_computed_from_the_records(standard):
    figures = content.figures(content.assessment_content(standard))

    assert figures["activities"] == 3
    assert [k["name"] for k in figures["activities_by_kind"]] == ["公示公告", "问卷调查", "座谈会"]
    assert figures["support_rate"] == 92.0
    assert (figures["opinions"], figures["opinions_adopted"]) == (1, 1)
    assert (figures["risks"], figures["risks_resolved"]) == (1, 1)


def test_the_preview_lists_what_is_still_required_with_links(client, assessor, standard):
    ConsultationActivity.objects.filter(assessment=standard).delete()
    client.force_login(assessor)

    response = client.get(step_url(standard, "preview"))

    assert response.status_code == 200
    assert {i["slug"] for i in response.context["checklist"]} == {"consultation"}
    assert step_url(standard, "consultation") in response.text
    # Nothing to confirm while something is missing: no submit form, a pointer to the list.
    assert 'class="submit-form"' not in response.text
    assert 'id="submit-blocked"' in response.text


def test_a_new_standard_assessment_goes_on_to_its_contacts(client, assessor, unit, risk_scheme):
    client.force_login(assessor)
    client.post(
        reverse("assessments:new"),
        {
            "owner_unit": unit.pk,
            "title": "一般评估报告",
            "project_name": "一般项目",
            "responsible_entity": "责任单位",
            "mode": "standard",
            "evaluating_unit": "评估单位",
            "report_date": datetime.date(2026, 11, 1).isoformat(),
            "nav": "next",
        },
    )
    assessment = Assessment.objects.get(project_name="一般项目")
    response = client.get(step_url(assessment, "preview"))

    assert response.status_code == 200
    assert len(response.context["checklist"]) > 5


# --- mode rules as data ----------------------------------------------------------------------


def project_data(assessment, **changes):
    data = {
        "title": assessment.title,
        "project_name": assessment.project_name,
        "responsible_entity": assessment.responsible_entity,
        "mode": assessment.mode,
        "evaluating_unit": assessment.evaluating_unit,
        "report_date": "2026-11-01",
        "lock_version": assessment.lock_version,
        "nav": "save",
    }
    data.update(changes)
    return data


def test_figures_above_a_threshold_suggest_standard_mode_with_the_rules_source(
    client, assessor, unit, risk_scheme
):
    simple = complete_assessment(make_assessment(unit=unit, author=assessor))
    client.force_login(assessor)

    refused = client.post(
        step_url(simple, "project"), project_data(simple, households_relocated="80")
    )
    assert refused.status_code == 200
    assert "请说明采用简易评估即可的理由" in refused.text  # the reason, beside the field
    # A draft keeps what is valid (the figure); the missing reason stays marked.
    kept = Assessment.objects.get(pk=simple.pk)
    assert (kept.households_relocated, kept.mode_reason) == (80, "")

    client.post(
        step_url(simple, "project"),
        project_data(simple, households_relocated="80", mode_reason="仅为临时安置。"),
    )
    page = client.get(step_url(simple, "project"))

    assert Assessment.objects.get(pk=simple.pk).households_relocated == 80
    assert [item.measure for item in page.context["mode_suggestion"]] == ["households_relocated"]
    assert "发改投资〔2012〕2492号" in page.text


def test_the_lighter_mode_reason_is_a_content_rule_too(assessor, unit, risk_scheme):
    simple = complete_assessment(make_assessment(unit=unit, author=assessor))
    simple.environmental_category = "report_book"
    simple.save()

    missing = content.missing_requirements(content.assessment_content(simple))

    assert [item.step for item in missing] == ["project"]
    with pytest.raises(workflow.TransitionRefused):
        workflow.assessment_submit(assessment=simple, actor=assessor)


def test_a_rule_change_in_the_data_changes_what_is_required(standard):
    # The minimum procedure is LocalityRule rows now (national defaults: no unit); each
    # missing item carries its rule's source beside the message instead of inside it.
    from assessments.models import LocalityRule, ModeThreshold

    data = content.assessment_content(standard)
    assert content.missing_requirements(data) == []

    panel = LocalityRule.objects.get(unit=None, mode="standard", key="expert_count")
    panel.number = 4
    panel.save()
    LocalityRule.objects.create(
        mode="standard", key="activity.hearing", source="某区实施细则第八条"
    )

    missing = content.missing_requirements(data)
    assert [(m.step, m.message, m.source, m.set_by) for m in missing] == [
        ("consultation", "公众参与：须开展听证会。", "某区实施细则第八条", None),
        ("expert", "专家论证：专家组不少于4人。", panel.source, None),
    ]

    ModeThreshold.objects.filter(measure="investment_wan").update(minimum=1)
    assert [e.measure for e in content.mode_suggestion({"investment_wan": "5"})] == [
        "investment_wan"
    ]


def test_a_larger_investment_needs_a_larger_panel(standard):
    standard.investment_wan = 60000
    standard.save()

    missing = content.missing_requirements(content.assessment_content(standard))

    assert [m.step for m in missing] == ["expert"]
    assert "5" in missing[0].message


# --- the wizard by mode ----------------------------------------------------------------------


def grow_standard(assessment, n: int) -> None:
    from assessments.models import BasisDocument, ExpertMember, WorkingGroupMember
    from assessments.services import editing

    kind = ActivityKind.objects.get(code="forum")
    editing.rows_sync(
        assessment=assessment,
        model=ConsultationActivity,
        rows=[
            {
                "kind": kind,
                "start_date": datetime.date(2026, 9, 1),
                "place": "某处",
                "summary": "意见",
            }
            for _ in range(n)
        ],
    )
    activity = assessment.activities.first()
    editing.rows_sync(
        assessment=assessment,
        model=Opinion,
        rows=[
            {
                "activity": activity,
                "raised_by": "residents",
                "content": f"意见{i}",
                "adoption": "adopted",
            }
            for i in range(n)
        ],
    )
    for model, row in [
        (BasisDocument, {"title": "文件"}),
        (WorkingGroupMember, {"name": "某", "unit": "某单位", "role": "成员"}),
        (ExpertMember, {"name": "某", "title": "教授", "organisation": "某大学"}),
    ]:
        editing.rows_sync(assessment=assessment, model=model, rows=[row] * n)


@pytest.mark.parametrize("step", [*content.STANDARD_ORDER, "preview"])
def test_each_standard_step_runs_a_fixed_number_of_queries(
    client, assessor, unit, risk_scheme, step
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = complete_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))
    large = complete_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))
    grow_standard(small, 1)
    grow_standard(large, 12)
    client.force_login(assessor)

    def count(assessment) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(step_url(assessment, step))
        assert response.status_code == 200
        return len(queries)

    assert count(small) == count(large)


def test_submitting_an_incomplete_standard_assessment_shows_the_list(client, assessor, standard):
    standard.experts.all().delete()
    client.force_login(assessor)

    response = client.post(
        reverse("assessments:submit", args=[standard.pk]),
        {"lock_version": standard.lock_version},
        follow=True,
    )

    assert Assessment.objects.get(pk=standard.pk).status == Status.DRAFT
    assert "专家论证：列出专家组成员。" in response.text
    assert "专家组不少于3人" in response.text


@pytest.mark.parametrize(
    ("field", "step", "named"),
    [
        ("responsible_leader", "subject", "责任领导"),
        ("expert_opinion", "expert", "专家组意见"),
        ("expert_level", "expert", "风险等级"),
        ("emergency_measures", "emergency", "处置措施"),
        ("emergency_command_leader", "emergency", "总指挥"),
        ("meeting_chair", "decision", "主持人"),
    ],
)
def test_submit_is_refused_naming_each_missing_single_value(assessor, standard, field, step, named):
    from assessments.models import StandardRecord

    blank = None if field == "expert_level" else ""
    StandardRecord.objects.filter(assessment=standard).update(**{field: blank})
    standard = Assessment.objects.get(pk=standard.pk)

    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_submit(assessment=standard, actor=assessor)

    missing = content.missing_requirements(content.assessment_content(standard))
    assert [item.step for item in missing] == [step]
    assert named in str(refused.value.message)
