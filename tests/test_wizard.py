import pytest
from django.urls import reverse

from assessments.models import Assessment, Side, Status
from assessments.wizard import STEPS

pytestmark = pytest.mark.django_db


def step_url(assessment, slug):
    return reverse("assessments:step", kwargs={"pk": assessment.pk, "step": slug})


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def contact_rows(prefix, rows, initial=0):
    data = management(prefix, len(rows), initial)
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


@pytest.fixture
def client_assessor(client, assessor):
    client.force_login(assessor)
    return client


def test_every_step_renders_for_a_new_draft(client_assessor, draft):
    for step in STEPS:
        response = client_assessor.get(step_url(draft, step.slug), follow=True)
        assert response.status_code == 200, step.slug


def test_creating_an_assessment_saves_it_and_moves_on(client_assessor, unit, risk_scheme):
    response = client_assessor.post(
        reverse("assessments:new"),
        {
            "title": "测试报告",
            "project_name": "测试项目",
            "responsible_entity": "责任单位",
            "mode": "simple",
            "evaluating_unit": "评估单位",
            "report_date": "2026-11-01",
            "nav": "next",
        },
    )

    assessment = Assessment.objects.get(project_name="测试项目")
    assert response.status_code == 302
    assert response.url == step_url(assessment, "contacts")
    assert assessment.owner_unit == unit
    assert assessment.status == Status.DRAFT


def test_contacts_are_saved_in_order_and_removed(client_assessor, draft):
    data = {
        "lock_version": draft.lock_version,
        "nav": "save",
        **contact_rows(
            "responsible",
            [
                {"name": "乙", "phone": "13800000002", "ORDER": "2"},
                {"name": "甲", "position": "主任", "phone": "13800000001", "ORDER": "1"},
                {"name": "丙", "phone": "13800000003", "ORDER": "3", "DELETE": "on"},
            ],
        ),
        **contact_rows("evaluator", [{"name": "丁", "phone": "0533-6400001", "ORDER": "1"}]),
    }

    response = client_assessor.post(step_url(draft, "contacts"), data)

    assert response.status_code == 302
    assert response.url == step_url(draft, "contacts")
    names = list(draft.contacts.filter(side=Side.RESPONSIBLE).values_list("name", flat=True))
    assert names == ["甲", "乙"]


def test_a_bad_phone_number_is_refused_beside_the_field_with_the_input_kept(client_assessor, draft):
    data = {
        "lock_version": draft.lock_version,
        "nav": "next",
        **contact_rows("responsible", [{"name": "甲", "phone": "12345", "ORDER": "1"}]),
        **contact_rows("evaluator", []),
    }

    response = client_assessor.post(step_url(draft, "contacts"), data)

    assert response.status_code == 200
    assert "请输入11位手机号" in response.text
    assert 'value="12345"' in response.text
    assert draft.contacts.count() == 0


def test_a_save_based_on_a_stale_version_is_refused_with_the_input_shown(client_assessor, draft):
    stale = draft.lock_version
    client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": stale, "nav": "save", "basic_situation": "第一个人写的内容"},
    )

    response = client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": stale, "nav": "save", "basic_situation": "第二个人写的内容"},
    )

    draft.refresh_from_db()
    assert response.status_code == 409
    assert "其他人修改了此评估" in response.text
    assert "第二个人写的内容" in response.text
    assert draft.basic_situation == "第一个人写的内容"


def test_jumping_to_the_preview_of_an_incomplete_draft_lands_on_the_first_incomplete_step(
    client_assessor, draft
):
    response = client_assessor.get(step_url(draft, "preview"))

    assert response.status_code == 302
    assert response.url == step_url(draft, "contacts")
