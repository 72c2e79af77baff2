import pytest
from django.urls import reverse

from assessments.diffs.compute import _highlight
from assessments.issuing.tasks import approve_and_issue
from assessments.models import Status
from assessments.services import editing, workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(complete_draft, assessor, reviewer):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    workflow.assessment_return(
        assessment=complete_draft, actor=reviewer, comment="请补充风险点的化解措施。"
    )
    complete_draft.refresh_from_db()
    return complete_draft


def revise(assessment, **fields):
    editing.assessment_save_step(
        assessment=assessment,
        expected_version=assessment.lock_version,
        apply=lambda a: editing.assessment_update_fields(a, fields),
    )


def test_the_author_sees_the_return_comment_on_the_assessment_and_in_the_form(
    client, assessor, returned
):
    client.force_login(assessor)

    detail = client.get(returned.get_absolute_url())
    step = client.get(reverse("assessments:step", args=[returned.pk, "risks"]))

    assert "请补充风险点的化解措施。" in detail.text
    assert "请补充风险点的化解措施。" in step.text


def test_the_reviewer_sees_what_changed_since_the_returned_version(
    client, assessor, reviewer, returned
):
    revise(returned, risk_narrative="风险点及化解情况。新增：设立信访接待点。")
    workflow.assessment_submit(assessment=returned, actor=assessor)
    client.force_login(reviewer)

    response = client.get(reverse("assessments:review", args=[returned.pk]))

    changes = response.context["changes"]
    assert [c.label for c in changes] == ["风险点及化解情况"]
    assert "<ins>新增：设立信访接待点。</ins>" in changes[0].new
    assert "版本 1" in response.text and "版本 2" in response.text


def test_the_first_round_shows_no_diff(client, assessor, reviewer, complete_draft):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    client.force_login(reviewer)

    response = client.get(reverse("assessments:review", args=[complete_draft.pk]))

    assert response.context["changes"] is None
    assert response.context["version"].number == 1


def test_highlighting_escapes_user_text():
    old, new = _highlight("<b>旧</b>", "<b>新</b>")

    assert old == "&lt;b&gt;<del>旧</del>&lt;/b&gt;"
    assert new == "&lt;b&gt;<ins>新</ins>&lt;/b&gt;"


def test_returning_without_a_comment_shows_a_chinese_message_beside_the_field(
    client, assessor, reviewer, complete_draft
):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    client.force_login(reviewer)

    response = client.post(reverse("assessments:return", args=[complete_draft.pk]), {"comment": ""})

    assert response.status_code == 200
    assert "退回时必须填写审核意见" in response.text
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED


def test_a_second_reviewer_acting_on_a_decided_assessment_gets_a_clear_message(
    client, assessor, reviewer, unit, complete_draft
):
    from assessments.models import Role
    from tests.factories import make_user

    other = make_user("rita", roles=[Role.REVIEWER], units=[unit])
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    approve_and_issue(assessment=complete_draft, actor=reviewer)
    client.force_login(other)

    response = client.post(
        reverse("assessments:return", args=[complete_draft.pk]),
        {"comment": "退回", "version": "1"},
        follow=True,
    )

    assert "已批准" in response.text
    assert "可能已被他人处理" in response.text


def test_the_queue_lists_oldest_first_without_my_own(client, unit, assessor, risk_scheme):
    from assessments.models import Role
    from tests.factories import complete_assessment, make_assessment, make_user

    both = make_user("rex", roles=[Role.ASSESSOR, Role.REVIEWER], units=[unit])
    first = complete_assessment(make_assessment(unit=unit, author=assessor, project_name="先交"))
    second = complete_assessment(make_assessment(unit=unit, author=assessor, project_name="后交"))
    mine = complete_assessment(make_assessment(unit=unit, author=both, project_name="自己"))
    for assessment, author in ((first, assessor), (mine, both), (second, assessor)):
        workflow.assessment_submit(assessment=assessment, actor=author)
    client.force_login(both)

    response = client.get(reverse("assessments:review_queue"))

    assert [a.project_name for a in response.context["queue"]] == ["先交", "后交"]


def test_approving_from_a_page_showing_an_older_version_is_refused(
    client, assessor, reviewer, returned
):
    revise(returned, conclusion="第二版结论。")
    workflow.assessment_submit(assessment=returned, actor=assessor)
    client.force_login(reviewer)

    response = client.post(
        reverse("assessments:approve", args=[returned.pk]), {"version": "1"}, follow=True
    )

    returned.refresh_from_db()
    assert returned.status == Status.SUBMITTED
    assert "请阅读最新版本后再作决定" in response.text


def test_a_decision_without_the_version_read_is_refused(client, assessor, reviewer, complete_draft):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    client.force_login(reviewer)

    response = client.post(reverse("assessments:approve", args=[complete_draft.pk]), follow=True)

    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED
    assert "页面已过期" in response.text


def test_the_approval_warns_when_the_unit_has_no_seal_and_not_once_it_has_one(
    client, assessor, reviewer, complete_draft, unit
):
    from assessments.demo import demo_seal_png
    from assessments.models import Seal

    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    client.force_login(reviewer)
    url = reverse("assessments:review", args=[complete_draft.pk])

    without = client.get(url)
    Seal.objects.create(unit=unit, image=demo_seal_png(), content_type="image/png")
    with_seal = client.get(url)

    assert 'id="no-seal"' in without.text and "尚未上传印章图片" in without.text
    assert 'id="no-seal"' not in with_seal.text


def test_the_unit_page_shows_a_missing_seal_as_a_warning(client, unit_admin, unit):
    from assessments.demo import demo_seal_png
    from assessments.models import Seal

    client.force_login(unit_admin)
    url = reverse("units:detail", args=[unit.pk])

    without = client.get(url)
    Seal.objects.create(unit=unit, image=demo_seal_png(), content_type="image/png")
    with_seal = client.get(url)

    assert "落款处将没有印章" in without.text
    assert "落款处将没有印章" not in with_seal.text
