"""Six defects that came from rules written twice; each test failed before the rule moved
to one place."""

import pytest
from django.core.exceptions import ValidationError

from assessments.common import files
from assessments.diffs import compute
from assessments.forms.standard import ExpertReviewForm
from assessments.forms.steps import ConclusionForm
from assessments.models import Attachment, RiskLevel, StandardRecord
from assessments.reports.context import render_report_body
from assessments.services import editing, evidence, workflow
from tests.factories import complete_assessment, complete_standard, make_assessment

pytestmark = pytest.mark.django_db


def _resubmit(assessment, assessor, reviewer, change):
    workflow.assessment_submit(assessment=assessment, actor=assessor)
    workflow.assessment_return(assessment=assessment, actor=reviewer, comment="请修改。")
    assessment.refresh_from_db()
    editing.assessment_save_step(
        assessment=assessment, expected_version=assessment.lock_version, apply=change
    )
    workflow.assessment_submit(assessment=assessment, actor=assessor)
    return assessment.versions.order_by("number")


def test_the_reviewer_sees_a_risk_points_level_after_measures_change(
    complete_draft, assessor, reviewer
):
    complete_draft.risk_points.all().delete()
    low = RiskLevel.objects.get(code="low")
    high = RiskLevel.objects.get(code="high")
    row = {
        "description": "施工噪声影响周边居民。",
        "category": "environment",
        "likelihood": 2,
        "impact": 2,
        "mitigation": "限定施工时间。",
        "responsible_party": "施工单位",
    }
    editing.risk_points_replace(assessment=complete_draft, rows=[{**row, "level_after": low}])

    def raise_level(assessment):
        editing.risk_points_replace(assessment=assessment, rows=[{**row, "level_after": high}])
        # The conclusion follows the raised level, with its reason.
        editing.assessment_update_fields(
            assessment,
            {"risk_level": high, "recommendation": high.recommendation},
        )

    old, new = _resubmit(complete_draft, assessor, reviewer, raise_level)

    changes = {change.label: change for change in compute.version_diff(old, new)}
    assert "风险点" in changes
    assert "<ins>高" in changes["风险点"].new or "<ins>高风险" in changes["风险点"].new


def test_submission_refuses_invisible_characters_that_came_round_the_forms(
    complete_draft, assessor
):
    # Stored by a path that is not a wizard form (an import, a script, the admin).
    complete_draft.basic_situation = "基本情况\u202e第一段。"
    complete_draft.save()

    with pytest.raises(workflow.TransitionRefused) as refusal:
        workflow.assessment_submit(assessment=complete_draft, actor=assessor)

    assert "U+202E" in str(refusal.value.message)
    complete_draft.refresh_from_db()
    assert complete_draft.status == "draft"


@pytest.fixture
def standard(assessor, unit, risk_scheme):
    return complete_standard(complete_assessment(make_assessment(unit=unit, author=assessor)))


def test_an_evidence_file_name_with_a_bidi_override_is_refused(assessor, standard):
    # The name is printed in the report's 附件清单. Django's upload parser drops such
    # characters from names that come over HTTP; an import or a script hands the service the
    # name as it is.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\nxref\n0 1\ntrailer<<>>\nstartxref\n29\n%%EOF\n"
    name = "公示\u202efdp.exe.pdf"

    with pytest.raises(ValidationError, match="U\\+202E"):
        evidence.validate_upload(name, len(pdf), lambda: pdf)
    with pytest.raises(ValidationError, match="U\\+202E"):
        evidence.attachment_add(
            assessment=standard,
            actor=assessor,
            section="activity",
            activity=standard.activities.order_by("order").first(),
            name=name,
            data=pdf,
            file_type=files.PDF,
        )
    assert not Attachment.objects.filter(assessment=standard).exists()


def test_a_standard_long_text_has_one_limit_for_model_form_and_database(standard):
    record = StandardRecord.objects.get(assessment=standard)
    field = StandardRecord._meta.get_field("expert_opinion")
    limit = field.max_length
    form = ExpertReviewForm(
        {
            "expert_date": "2026-09-20",
            "expert_level": record.expert_level_id,
            "expert_recommendation": "approve",
            "expert_opinion": "论" * limit,
        },
        instance=record,
    )
    assert form.is_valid(), form.errors

    too_long = ExpertReviewForm(
        {**form.data, "expert_opinion": "论" * (limit + 1)}, instance=record
    )
    assert not too_long.is_valid()
    # The model refuses it too: every path, not only the form.
    record.expert_opinion = "论" * (limit + 1)
    with pytest.raises(Exception, match="expert_opinion"):
        record.full_clean()


def test_every_long_text_of_the_standard_record_is_bounded_by_the_model(db):
    from django.db import models

    unbounded = [
        field.name
        for field in StandardRecord._meta.get_fields()
        if isinstance(field, models.TextField)
        and not any(
            getattr(validator, "limit_value", None) == field.max_length
            for validator in field.validators
        )
    ]
    assert unbounded == []


def test_a_typed_deviation_reason_is_kept_when_the_choice_agrees(complete_draft, risk_scheme):
    low = risk_scheme["low"]
    form = ConclusionForm(
        {
            "risk_level": low.pk,
            "recommendation": low.recommendation,
            "deviation_reason": "与专家组意见一致，特此说明。",
            "conclusion": "结论。",
        },
        instance=complete_draft,
        suggested_level=low,
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["deviation_reason"] == "与专家组意见一致，特此说明。"


def test_an_old_version_renders_with_the_level_names_it_was_submitted_with(
    complete_draft, assessor
):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    version = complete_draft.versions.get()
    # A locality rewords its scheme afterwards.
    RiskLevel.objects.filter(code="low").update(name="较小", recommendation_note="可以实施")

    html = render_report_body(version.content)

    assert "风险等级：低风险" in html
    assert "较小" not in html
