import pytest
from django.urls import reverse

from assessments.models import Assessment, Side, Status
from assessments.wizard.flow import STEPS

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
            "owner_unit": unit.pk,
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


def test_a_save_based_on_a_stale_version_is_refused_with_both_versions_shown(
    client, client_assessor, second_assessor, draft
):
    from django.test import Client

    stale = draft.lock_version
    other = Client()
    other.force_login(second_assessor)
    other.post(
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
    assert response.context["conflict_rows"] == [
        {"label": "基本情况", "theirs": "第一个人写的内容", "yours": "第二个人写的内容"}
    ]
    assert draft.basic_situation == "第一个人写的内容"


def test_saving_again_after_seeing_the_conflict_keeps_the_users_input(
    client_assessor, second_assessor, draft
):
    from django.test import Client

    stale = draft.lock_version
    other = Client()
    other.force_login(second_assessor)
    other.post(
        step_url(draft, "basic"),
        {"lock_version": stale, "nav": "save", "basic_situation": "第一个人写的内容"},
    )
    conflict = client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": stale, "nav": "save", "basic_situation": "第二个人写的内容"},
    )

    again = client_assessor.post(
        step_url(draft, "basic"),
        {
            "lock_version": conflict.context["lock_version"],
            "nav": "save",
            "basic_situation": "第二个人写的内容",
        },
    )

    draft.refresh_from_db()
    assert again.status_code == 302
    assert draft.basic_situation == "第二个人写的内容"


def test_the_users_own_earlier_save_is_not_a_conflict(client_assessor, draft):
    """Save and continue, then the browser's Back: the page's copy is older than the
    user's own save, which is no one else's change."""
    stale = draft.lock_version
    client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": stale, "nav": "next", "basic_situation": "第一稿"},
    )

    response = client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": stale, "nav": "save", "basic_situation": "第二稿"},
    )

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.basic_situation == "第二稿"


def test_a_save_that_changes_nothing_keeps_the_edit_version(client_assessor, draft):
    version = draft.lock_version
    data = {"lock_version": version, "nav": "next", "basic_situation": draft.basic_situation}

    client_assessor.post(step_url(draft, "basic"), data)
    client_assessor.post(step_url(draft, "findings"), {"lock_version": version, "nav": "next"})

    draft.refresh_from_db()
    assert draft.lock_version == version


def test_each_save_that_changes_something_is_audited_with_its_version(client_assessor, draft):
    from assessments.models import AuditEvent

    version = draft.lock_version
    client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": version, "nav": "save", "basic_situation": "新内容"},
    )

    event = AuditEvent.objects.get(action="edit")
    assert (event.old_state, event.new_state) == (str(version), str(version + 1))
    assert event.user == draft.author and event.detail == "step basic"


def test_save_stores_one_dimension_of_four(client_assessor, draft):
    response = client_assessor.post(
        step_url(draft, "findings"),
        {
            "lock_version": draft.lock_version,
            "nav": "save",
            "legality_text": "符合法律法规。",
            "legality_verdict": "no_risk",
        },
    )

    assert response.status_code == 302
    findings = {f.dimension: f for f in draft.findings.all()}
    assert findings["legality"].text == "符合法律法规。"
    assert findings["legality"].verdict == "no_risk"
    assert findings["rationality"].text == ""


def test_a_half_valid_step_stores_the_valid_part_and_marks_the_rest(client_assessor, draft):
    response = client_assessor.post(
        step_url(draft, "findings"),
        {
            "lock_version": draft.lock_version,
            "nav": "save",
            "legality_text": "符合法律法规。",
            "legality_verdict": "no_risk",
            "rationality_text": "超长" * 2000,
            "rationality_verdict": "no_risk",
        },
    )

    assert response.status_code == 200
    assert "有效的内容已保存" in response.text
    assert "rationality_text" in response.context["forms"]["form"].errors
    findings = {f.dimension: f for f in draft.findings.all()}
    assert findings["legality"].text == "符合法律法规。"
    assert findings["rationality"].text == ""
    assert response.context["lock_version"] == draft.lock_version + 1


def test_a_mistake_in_a_saved_row_does_not_delete_the_stored_row(client_assessor, draft):
    rows = {
        **contact_rows("responsible", [{"name": "甲", "phone": "13800000001", "ORDER": "1"}]),
        **contact_rows("evaluator", []),
    }
    client_assessor.post(
        step_url(draft, "contacts"), {"lock_version": draft.lock_version, "nav": "save", **rows}
    )
    draft.refresh_from_db()

    response = client_assessor.post(
        step_url(draft, "contacts"),
        {
            "lock_version": draft.lock_version,
            "nav": "save",
            **contact_rows(
                "responsible",
                [
                    {"name": "甲", "phone": "12345", "ORDER": "1"},
                    {"name": "乙", "phone": "13800000002", "ORDER": "2"},
                ],
                initial=1,
            ),
            **contact_rows("evaluator", []),
        },
    )

    assert response.status_code == 200
    assert 'value="12345"' in response.text
    stored = draft.contacts.filter(side=Side.RESPONSIBLE).order_by("order")
    assert [(c.name, c.phone) for c in stored] == [("甲", "13800000001"), ("乙", "13800000002")]


@pytest.mark.parametrize(
    "character, name",
    [
        ("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u200b", "U+200B ZERO WIDTH SPACE"),
        ("\u00ad", "U+00AD SOFT HYPHEN"),
        ("\ue000", "U+E000"),
    ],
)
def test_invisible_characters_are_refused_where_typed_and_named(
    client_assessor, draft, character, name
):
    response = client_assessor.post(
        step_url(draft, "basic"),
        {
            "lock_version": draft.lock_version,
            "nav": "save",
            "basic_situation": f"正文{character}exe.txt",
        },
    )

    assert response.status_code == 200
    errors = response.context["forms"]["form"].errors["basic_situation"]
    assert "不可见字符" in errors[0] and name in errors[0]
    draft.refresh_from_db()
    assert draft.basic_situation == ""


def test_line_breaks_count_once_against_the_limit(client_assessor, draft):
    from assessments.models import TEXT_LIMITS

    limit = TEXT_LIMITS["basic_situation"]
    # Lines of 99 characters joined by CR LF: exactly at the limit when a break is one.
    text = "\r\n".join(["甲" * 99] * (limit // 100)) + "甲"
    assert len(text) == limit + limit // 100 - 1  # over the limit if CR LF counted twice

    response = client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": draft.lock_version, "nav": "save", "basic_situation": text},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert len(draft.basic_situation) == limit
    assert "\r" not in draft.basic_situation


def test_one_character_over_the_limit_is_refused_with_the_limit_named(client_assessor, draft):
    from assessments.models import TEXT_LIMITS

    limit = TEXT_LIMITS["basic_situation"]
    response = client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": draft.lock_version, "nav": "save", "basic_situation": "甲" * (limit + 1)},
    )

    assert response.status_code == 200
    assert f"最多为 {limit} 个字符" in response.text or str(limit) in str(
        response.context["forms"]["form"].errors
    )
    assert f'maxlength="{limit}"' in response.text


def test_jumping_to_the_preview_of_an_incomplete_draft_lands_on_the_first_incomplete_step(
    client_assessor, draft
):
    response = client_assessor.get(step_url(draft, "preview"))

    assert response.status_code == 302
    assert response.url == step_url(draft, "contacts")


def test_a_refused_field_is_marked_and_the_valid_ones_are_saved(client_assessor, draft):
    response = client_assessor.post(
        step_url(draft, "project"),
        {"lock_version": draft.lock_version, "nav": "save", "title": "", "project_name": "新名称"},
    )

    assert response.status_code == 200
    assert "title" in response.context["forms"]["form"].errors
    draft.refresh_from_db()
    assert draft.project_name == "新名称"
    assert draft.title == "测试项目社会稳定风险评估报告"


def risk_rows(rows):
    data = management("risks", len(rows))
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"risks-{index}-{key}"] = value
    return data


RISK = {
    "description": "施工扰民",
    "category": "environment",
    "likelihood": "4",
    "impact": "4",
    "level_after": "low",
    "mitigation": "限定施工时段",
    "responsible_party": "区住建局",
    "ORDER": "1",
}


def test_a_risk_points_level_before_measures_comes_from_the_matrix(client_assessor, draft):
    response = client_assessor.post(
        step_url(draft, "risks"),
        {
            "lock_version": draft.lock_version,
            "nav": "save",
            "risk_narrative": "风险防范",
            **risk_rows([RISK]),
        },
    )

    assert response.status_code == 302
    point = draft.risk_points.get()
    assert point.level_before.code == "high"  # 4 × 4 = 16 in the fixture's matrix
    assert point.level_after.code == "low"


def test_the_conclusion_suggests_the_level_and_requires_a_reason_to_differ(
    client_assessor, draft, risk_scheme
):
    client_assessor.post(
        step_url(draft, "risks"),
        {
            "lock_version": draft.lock_version,
            "nav": "save",
            "risk_narrative": "风险防范",
            **risk_rows([{**RISK, "level_after": "medium"}]),
        },
    )
    draft.refresh_from_db()

    page = client_assessor.get(step_url(draft, "conclusion"))
    assert page.context["suggested_level"].code == "medium"
    assert page.context["forms"]["form"].initial["recommendation"] == "defer"

    base = {"lock_version": draft.lock_version, "nav": "save", "conclusion": "结论。"}
    low = str(risk_scheme["low"].pk)
    refused = client_assessor.post(
        step_url(draft, "conclusion"), {**base, "risk_level": low, "recommendation": "approve"}
    )
    assert "请说明理由" in refused.text

    accepted = client_assessor.post(
        step_url(draft, "conclusion"),
        {**base, "risk_level": low, "recommendation": "approve", "deviation_reason": "已整改。"},
    )
    assert accepted.status_code == 302
    draft.refresh_from_db()
    assert draft.risk_level.code == "low"
    assert draft.deviation_reason == "已整改。"


def test_add_row_works_without_javascript(client_assessor, draft):
    data = {
        "lock_version": draft.lock_version,
        "nav": "add:responsible",
        **contact_rows("responsible", [{"name": "甲", "phone": "13800000001", "ORDER": "1"}]),
        **contact_rows("evaluator", []),
    }

    response = client_assessor.post(step_url(draft, "contacts"), data)
    assert response.status_code == 302
    assert "?add=responsible" in response.url

    page = client_assessor.get(response.url)
    assert page.context["forms"]["responsible"].total_form_count() == 2
    assert draft.contacts.count() == 1


def test_submit_of_an_incomplete_draft_is_refused_with_what_is_missing(client_assessor, draft):
    response = client_assessor.post(
        reverse("assessments:submit", kwargs={"pk": draft.pk}),
        {"lock_version": draft.lock_version},
        follow=True,
    )

    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert "评估尚未填写完整" in response.text


def test_resume_goes_to_the_first_incomplete_step(client_assessor, draft):
    draft.basic_situation = "已填写"
    draft.save()

    response = client_assessor.get(reverse("assessments:resume", kwargs={"pk": draft.pk}))

    assert response.url == step_url(draft, "contacts")


def test_a_complete_draft_can_be_submitted_from_the_preview(client_assessor, complete_draft):
    preview = client_assessor.get(step_url(complete_draft, "preview"))
    assert "提交审核" in preview.text

    response = client_assessor.post(
        reverse("assessments:submit", kwargs={"pk": complete_draft.pk}),
        {"lock_version": complete_draft.lock_version},
        follow=True,
    )

    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED
    assert "已提交审核" in response.text


def test_user_text_is_escaped_in_the_preview(client_assessor, complete_draft):
    complete_draft.basic_situation = '<script>alert("x")</script>'
    complete_draft.save()

    response = client_assessor.get(step_url(complete_draft, "preview"))

    assert '<script>alert("x")</script>' not in response.text
    assert "&lt;script&gt;" in response.text


def test_a_new_assessment_cannot_be_put_in_a_unit_the_user_is_not_in(
    client_assessor, other_unit, risk_scheme
):
    response = client_assessor.post(
        reverse("assessments:new"),
        {
            "owner_unit": other_unit.pk,
            "title": "测试报告",
            "project_name": "越权项目",
            "responsible_entity": "责任单位",
            "mode": "simple",
            "evaluating_unit": "评估单位",
            "report_date": "2026-11-01",
        },
    )

    assert response.status_code == 200
    assert not Assessment.objects.filter(project_name="越权项目").exists()


def test_text_the_report_cannot_print_is_refused_beside_the_field(client_assessor, draft):
    response = client_assessor.post(
        step_url(draft, "basic"),
        {"lock_version": draft.lock_version, "nav": "save", "basic_situation": "已完成✅"},
    )

    assert response.status_code == 200
    assert "报告无法打印以下字符：✅" in response.text
    assert "已完成✅" in response.text


def test_a_submit_after_someone_changed_the_previewed_content_is_refused(
    client_assessor, complete_draft
):
    previewed = complete_draft.lock_version
    client_assessor.post(
        step_url(complete_draft, "basic"),
        {"lock_version": previewed, "nav": "save", "basic_situation": "同事改过的内容"},
    )

    response = client_assessor.post(
        reverse("assessments:submit", kwargs={"pk": complete_draft.pk}),
        {"lock_version": previewed},
        follow=True,
    )

    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.DRAFT
    assert "请重新预览后再提交" in response.text


def test_an_incomplete_submit_shows_the_checklist_with_links_not_one_long_sentence(
    client_assessor, draft
):
    response = client_assessor.post(
        reverse("assessments:submit", kwargs={"pk": draft.pk}),
        {"lock_version": draft.lock_version},
    )

    assert response.status_code == 200
    items = response.context["checklist"]
    assert len(items) >= 2
    for item in items:
        link = reverse("assessments:step", kwargs={"pk": draft.pk, "step": item["slug"]})
        assert f'<li><a href="{link}">{item["message"]}</a></li>' in response.text
    assert "还需完成：" not in response.text  # not the run-on sentence of the refusal
    assert "data-confirm" not in response.text
