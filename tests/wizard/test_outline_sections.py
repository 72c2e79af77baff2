"""The step for the free sections of the unit's outline (issue 16): shown only where the
outline has some, saved like any step, and required before submission."""

import pytest
from django.urls import reverse

from assessments.models import Mode, Outline, Status, UnitOutline
from assessments.services import workflow
from assessments.wizard.flow import steps_for

pytestmark = pytest.mark.django_db


def step_url(assessment, slug):
    return reverse("assessments:step", kwargs={"pk": assessment.pk, "step": slug})


@pytest.fixture
def qingshi_unit(unit):
    UnitOutline.objects.create(
        unit=unit, mode=Mode.SIMPLE, outline=Outline.objects.get(code="qingshi-simple")
    )
    return unit


def test_the_default_outline_has_no_sections_step(draft):
    assert "sections" not in [step.slug for step in steps_for(draft)]


def test_an_outline_with_a_free_section_adds_its_step_before_the_conclusion(qingshi_unit, draft):
    slugs = [step.slug for step in steps_for(draft)]

    assert slugs[slugs.index("sections") + 1] == "conclusion"


def test_the_section_is_written_under_its_heading_and_saved(client, assessor, qingshi_unit, draft):
    client.force_login(assessor)
    page = client.get(step_url(draft, "sections")).content.decode()
    assert "三、舆情风险研判" in page

    response = client.post(
        step_url(draft, "sections"),
        {
            "lock_version": draft.lock_version,
            "nav": "save",
            "public-opinion": "舆情平稳。\n无炒作。",
        },
    )

    assert response.status_code == 302
    assert draft.free_sections.get(key="public-opinion").text == "舆情平稳。\n无炒作。"


def test_a_section_over_the_limit_is_refused_beside_the_field_with_the_input_kept(
    client, assessor, qingshi_unit, draft
):
    client.force_login(assessor)
    text = "长" * 5001

    response = client.post(
        step_url(draft, "sections"),
        {"lock_version": draft.lock_version, "nav": "save", "public-opinion": text},
    )

    assert response.status_code == 200
    assert text in response.content.decode()
    assert response.context["forms"]["form"].errors["public-opinion"]
    assert not draft.free_sections.exists()


def test_submission_waits_for_the_free_section(complete_draft, assessor, qingshi_unit):
    with pytest.raises(workflow.TransitionRefused) as refused:
        workflow.assessment_submit(assessment=complete_draft, actor=assessor)

    assert "三、舆情风险研判" in str(refused.value.message)
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.DRAFT


def test_the_preview_and_the_draft_pdf_follow_the_units_outline(
    client, assessor, qingshi_unit, complete_draft
):
    from assessments.services.editing import free_sections_update
    from tests.reports.test_pdf import pdf_text

    client.force_login(assessor)
    # The preview of a simple draft opens once every step is done, this one's too.
    assert client.get(step_url(complete_draft, "preview")).url == step_url(
        complete_draft, "sections"
    )
    free_sections_update(assessment=complete_draft, texts={"public-opinion": "舆情平稳。"})

    preview = client.get(step_url(complete_draft, "preview")).content.decode()
    draft_pdf = client.get(reverse("assessments:draft_pdf", args=[complete_draft.pk]))

    assert "二、青石区社会稳定风险分析" in preview and "1、合法性" not in preview
    text = pdf_text(draft_pdf.content)
    assert "（一）项目合法性分析" in text and "社会稳定风险评估开展情况" not in text
