"""Issue 16: every field of the guided form explains itself; the matter's kind chooses its
facts; a figure may be marked 未载明, which is neither a value nor empty."""

import pytest
from django.forms import BaseFormSet
from django.urls import reverse
from django.utils.html import strip_tags

from assessments import content
from assessments.forms.marks import SUFFIX
from assessments.models import ConsultationActivity, MatterKind, StandardRecord
from assessments.reports.context import render_report_body
from assessments.wizard.flow import STANDARD_STEPS, STEPS
from tests.factories import complete_assessment, complete_standard, make_assessment

pytestmark = pytest.mark.django_db


def every_form(forms: dict):
    for item in forms.values():
        if isinstance(item, BaseFormSet):
            yield item.empty_form
            yield from item.forms
        else:
            yield item


@pytest.mark.parametrize("steps", [STEPS, STANDARD_STEPS], ids=["simple", "standard"])
def test_every_field_of_every_wizard_form_has_help_text(steps, assessor, unit, risk_scheme):
    assessment = complete_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))
    fields = []
    for step in steps:
        for form in every_form(step.forms(assessment)):
            for name, field in form.fields.items():
                if name in ("ORDER", "DELETE") or field.widget.is_hidden:
                    continue
                fields.append(name)
                assert str(field.help_text or "").strip(), f"{step.slug}: {name} has no help text"
    assert len(fields) > 60  # the walk really reached the forms


def test_a_policy_shows_and_prints_the_facts_of_a_policy(assessor, unit, risk_scheme, client):
    assessment = complete_assessment(
        make_assessment(
            unit=unit,
            author=assessor,
            matter_kind=MatterKind.POLICY,
            document_title="关于推进老旧小区改造的实施意见",
            drafting_unit="区住房和城乡建设局",
            scope="全区2000年前建成的住宅小区",
            investment_wan=500,
        )
    )
    client.force_login(assessor)
    page = client.get(reverse("assessments:step", args=[assessment.pk, "project"])).text
    # Each fact names the kinds it belongs to, for the page to show only the chosen kind's.
    assert 'name="document_title"' in page and 'data-matter-kinds="policy' in page
    assert content.fields_of("policy") == (
        "document_title",
        "drafting_unit",
        "scope",
        "scale_content",
        "schedule",
        "people_affected",
    )
    # As a reader sees it: the last characters of a paragraph are held in a no-break span.
    html = strip_tags(render_report_body(content.assessment_content(assessment)))
    assert "文件名称：关于推进老旧小区改造的实施意见。" in html
    assert "起草单位：区住房和城乡建设局。" in html
    assert "适用范围：全区2000年前建成的住宅小区。" in html
    # An investment is not a fact of a policy: kept, not printed.
    assert "总投资" not in html


def test_a_project_prints_only_the_facts_given(assessor, unit, risk_scheme):
    assessment = complete_assessment(
        make_assessment(
            unit=unit,
            author=assessor,
            project_unit="区城投公司",
            investment_wan="1200.50",
            households_relocated=0,
            not_stated=["people_affected"],
        )
    )
    # As a reader sees it: the last characters of a paragraph are held in a no-break span.
    html = strip_tags(render_report_body(content.assessment_content(assessment)))

    assert "项目单位：区城投公司。" in html
    assert "总投资1200.50万元。" in html
    # 0 households is a figure the user gave; people affected is marked, not printed.
    assert "需搬迁0户。" in html
    assert "直接影响" not in html and "建设地点" not in html


def test_the_three_states_of_a_figure():
    assert content.state_of(3) == content.GIVEN
    assert content.state_of(0) == content.GIVEN
    assert content.state_of(None, marked=True) == content.NOT_STATED
    assert content.state_of("  ") == content.EMPTY
    assert content.state_of(None) == content.EMPTY
    record = {"not_stated": ["meeting_chair"]}
    assert content.answered(record, "meeting_chair", "")
    assert not content.answered(record, "meeting_date", None)


def expert_post(assessment, **fields):
    return {
        "lock_version": assessment.lock_version,
        "nav": "save",
        "experts-TOTAL_FORMS": "0",
        "experts-INITIAL_FORMS": "0",
        "experts-MIN_NUM_FORMS": "0",
        "experts-MAX_NUM_FORMS": "30",
        **fields,
    }


def test_marking_a_figure_not_stated_is_saved_and_shown_to_the_reviewer(
    assessor, unit, risk_scheme, client
):
    assessment = make_assessment(unit=unit, author=assessor, mode="standard")
    client.force_login(assessor)
    url = reverse("assessments:step", args=[assessment.pk, "expert"])

    client.post(url, expert_post(assessment, **{"expert_count" + SUFFIX: "on"}))

    record = StandardRecord.objects.get(assessment=assessment)
    assert record.not_stated == ["expert_count"] and record.expert_count is None
    marked = content.not_stated_items(content.assessment_content(assessment))
    assert [item["label"] for item in marked] == ["专家人数"]


def test_a_value_and_the_mark_together_are_refused_beside_the_field(
    assessor, unit, risk_scheme, client
):
    assessment = make_assessment(unit=unit, author=assessor, mode="standard")
    client.force_login(assessor)
    url = reverse("assessments:step", args=[assessment.pk, "expert"])

    response = client.post(
        url, expert_post(assessment, expert_count="3", **{"expert_count" + SUFFIX: "on"})
    )

    assert response.status_code == 200
    assert "要么填写数字，要么标记为未载明" in response.text
    assert 'value="3"' in response.text  # the input is kept


def test_an_activity_may_be_a_count_without_date_or_place(assessor, unit, risk_scheme):
    from assessments.models import ActivityKind
    from assessments.services import editing

    assessment = make_assessment(unit=unit, author=assessor, mode="standard")
    editing.rows_sync(
        assessment=assessment,
        model=ConsultationActivity,
        rows=[{"kind": ActivityKind.objects.get(code="forum"), "occasions": 2}],
    )
    figures = content.figures(content.assessment_content(assessment))

    assert figures["activities"] == 2 and figures["participants"] is None
    assert figures["opinions"] is None and figures["experts"] is None
