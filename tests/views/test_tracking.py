"""Tracking after the decision and post-evaluations (issue 18, point 3)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    Assessment,
    AuditAction,
    AuditEvent,
    Carried,
    MeasureCheck,
    PostEvaluation,
    Role,
    Status,
    TrackingRecord,
)
from assessments.services import editing, tracking
from tests.factories import complete_assessment, issue, make_assessment, make_unit, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def district(db):
    return make_unit("周村区委政法委")


@pytest.fixture
def bureau(district):
    return make_unit("周村区住建局", parent=district)


@pytest.fixture
def staff(bureau):
    return make_user("tina", roles=[Role.ASSESSOR, Role.CLERK], units=[bureau])


@pytest.fixture
def bureau_reviewer(bureau):
    return make_user("rick", roles=[Role.REVIEWER], units=[bureau])


@pytest.fixture
def overseer(district):
    return make_user("olga", roles=[Role.OVERSIGHT], units=[district])


@pytest.fixture
def stranger(db):
    return make_user("sam", roles=[Role.ASSESSOR, Role.OVERSIGHT], units=[make_unit("张店区")])


@pytest.fixture
def issued(bureau, staff, bureau_reviewer, risk_scheme):
    assessment = complete_assessment(make_assessment(unit=bureau, author=staff))
    editing.risk_points_replace(
        assessment=assessment,
        rows=[
            {
                "description": f"风险{i}",
                "category": "safety",
                "likelihood": 2,
                "impact": 2,
                "level_after": risk_scheme["low"],
                "mitigation": f"措施{i}",
            }
            for i in range(2)
        ],
    )
    issue(assessment, author=staff, reviewer=bureau_reviewer)
    issued = Assessment.objects.get(pk=assessment.pk)
    assert issued.status == Status.ISSUED
    return issued


def tracking_post(assessment, **overrides) -> dict:
    points = list(assessment.risk_points.order_by("order"))
    data = {
        "due_date": "2026-06-30",
        "tracked_by": "区住建局 王某",
        "tracked_on": "",
        "findings": "",
        "new_risks": "",
        **{f"measure_{p.pk}": "unknown" for p in points},
    }
    data.update(overrides)
    return data


def new_url(assessment) -> str:
    return reverse("assessments:tracking_new", kwargs={"pk": assessment.pk})


def test_staff_of_the_owning_unit_add_a_record_with_each_measure_and_it_is_audited(
    client, issued, staff
):
    first, second = issued.risk_points.order_by("order")
    client.force_login(staff)
    response = client.post(
        new_url(issued),
        tracking_post(
            issued,
            tracked_on=YESTERDAY.isoformat(),
            findings="措施已基本落实。",
            new_risks="施工噪声投诉。",
            **{f"measure_{first.pk}": "yes", f"measure_{second.pk}": "partly"},
        ),
    )

    assert response.status_code == 302
    record = TrackingRecord.objects.get(assessment=issued)
    assert record.created_by == staff
    assert record.new_risks == "施工噪声投诉。"
    states = dict(
        MeasureCheck.objects.filter(record=record).values_list("risk_point", "carried_out")
    )
    assert states == {first.pk: "yes", second.pk: "partly"}
    event = AuditEvent.objects.get(
        object_type="assessments.trackingrecord", object_id=str(record.pk)
    )
    assert event.action == AuditAction.CREATE and event.user == staff


def test_unknown_is_kept_apart_from_no(client, issued, staff):
    first, second = issued.risk_points.order_by("order")
    client.force_login(staff)
    client.post(new_url(issued), tracking_post(issued, **{f"measure_{first.pk}": "no"}))

    states = dict(MeasureCheck.objects.values_list("risk_point", "carried_out"))
    assert states == {first.pk: Carried.NO, second.pk: Carried.UNKNOWN}


def test_editing_a_record_changes_it_and_is_audited_as_an_edit(client, issued, staff):
    record = tracking.tracking_save(
        assessment=issued,
        record=None,
        data={"due_date": YESTERDAY, "tracked_by": "王某"},
        measures={},
        actor=staff,
    )
    client.force_login(staff)
    url = reverse("assessments:tracking_edit", kwargs={"pk": issued.pk, "record_id": record.pk})
    assert "王某" in client.get(url).content.decode()

    client.post(url, tracking_post(issued, tracked_by="李某", due_date=YESTERDAY.isoformat()))

    record.refresh_from_db()
    assert record.tracked_by == "李某"
    assert AuditEvent.objects.filter(
        action=AuditAction.EDIT, object_type="assessments.trackingrecord", object_id=str(record.pk)
    ).exists()


def test_the_parent_units_oversight_reads_but_may_not_write(client, issued, staff, overseer):
    tracking.tracking_save(
        assessment=issued,
        record=None,
        data={"due_date": YESTERDAY, "tracked_by": "王某"},
        measures={},
        actor=staff,
    )
    client.force_login(overseer)

    page = client.get(issued.get_absolute_url()).content.decode()
    assert 'id="after-decision"' in page and "王某" in page
    assert new_url(issued) not in page

    assert client.get(new_url(issued)).status_code == 403
    assert client.post(new_url(issued), tracking_post(issued)).status_code == 403
    assert TrackingRecord.objects.count() == 1


def test_another_unit_gets_404(client, issued, stranger):
    client.force_login(stranger)
    assert client.get(new_url(issued)).status_code == 404
    assert client.post(new_url(issued), tracking_post(issued)).status_code == 404
    post_url = reverse("assessments:post_evaluation_new", kwargs={"pk": issued.pk})
    assert client.post(post_url, {}).status_code == 404
    assert not TrackingRecord.objects.exists()


def test_a_record_is_found_only_under_its_own_assessment(
    client, issued, staff, bureau, bureau_reviewer
):
    other = complete_assessment(make_assessment(unit=bureau, author=staff, project_name="另一项目"))
    issue(other, author=staff, reviewer=bureau_reviewer)
    record = tracking.tracking_save(
        assessment=issued,
        record=None,
        data={"due_date": YESTERDAY, "tracked_by": "王某"},
        measures={},
        actor=staff,
    )
    client.force_login(staff)

    url = reverse("assessments:tracking_edit", kwargs={"pk": other.pk, "record_id": record.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, tracking_post(other, tracked_by="李某")).status_code == 404
    record.refresh_from_db()
    assert record.tracked_by == "王某"


def test_an_assessment_not_issued_is_refused_with_a_message(client, bureau, staff, risk_scheme):
    draft = make_assessment(unit=bureau, author=staff)
    client.force_login(staff)

    response = client.post(new_url(draft), tracking_post(draft), follow=True)

    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert "报告签发后" in response.content.decode()
    assert not TrackingRecord.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.REFUSED, object_id=str(draft.pk)).exists()
    with pytest.raises(tracking.TrackingRefused):
        tracking.post_evaluation_save(assessment=draft, evaluation=None, data={}, actor=staff)


def test_bad_input_is_marked_beside_its_field_and_kept(client, issued, staff):
    client.force_login(staff)
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        new_url(issued),
        tracking_post(issued, due_date="", tracked_on=future, tracked_by="区住建局 王某"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["due_date"] == ["这个字段是必填项。"]
    assert errors["tracked_on"] == ["该日期晚于今天：请填写实际发生的日期。"]
    page = response.content.decode()
    assert 'value="区住建局 王某"' in page
    assert [str(m) for m in response.context["messages"]] == ["内容未保存：请修改标出的字段。"]
    assert not TrackingRecord.objects.exists()

    tracked = client.post(new_url(issued), tracking_post(issued, tracked_on=YESTERDAY.isoformat()))
    assert tracked.context["form"].errors == {
        "findings": ["已填写跟踪日期，请同时填写跟踪发现的情况。"]
    }
    assert not TrackingRecord.objects.exists()


def test_a_measure_state_outside_the_choices_is_refused(client, issued, staff):
    first = issued.risk_points.order_by("order").first()
    client.force_login(staff)
    response = client.post(
        new_url(issued), tracking_post(issued, **{f"measure_{first.pk}": "maybe"})
    )
    assert response.status_code == 200
    assert f"measure_{first.pk}" in response.context["form"].errors
    assert not TrackingRecord.objects.exists()


def test_overdue_tracking_is_marked_on_the_detail_page(client, issued, staff):
    overdue = tracking.tracking_save(
        assessment=issued,
        record=None,
        data={"due_date": YESTERDAY, "tracked_by": "甲"},
        measures={},
        actor=staff,
    )
    done = tracking.tracking_save(
        assessment=issued,
        record=None,
        data={
            "due_date": YESTERDAY,
            "tracked_by": "乙",
            "tracked_on": YESTERDAY,
            "findings": "已落实。",
        },
        measures={},
        actor=staff,
    )
    upcoming = tracking.tracking_save(
        assessment=issued,
        record=None,
        data={"due_date": TODAY, "tracked_by": "丙"},
        measures={},
        actor=staff,
    )
    client.force_login(staff)

    response = client.get(issued.get_absolute_url())

    marked = {r.pk: r.overdue for r in response.context["tracking_records"]}
    assert marked == {overdue.pk: True, done.pk: False, upcoming.pk: False}
    page = response.content.decode()
    assert page.count("overdue-mark") == 1
    assert "1 条跟踪记录已逾期。" in page


def test_post_evaluation_with_its_trigger(client, issued, staff):
    client.force_login(staff)
    url = reverse("assessments:post_evaluation_new", kwargs={"pk": issued.pk})
    response = client.post(
        url,
        {
            "trigger": "many_objections",
            "started_on": YESTERDAY.isoformat(),
            "evaluated_by": "区政法委",
            "findings": "群众反映集中在补偿标准。",
        },
    )
    assert response.status_code == 302
    evaluation = PostEvaluation.objects.get()
    assert evaluation.trigger == "many_objections"
    assert AuditEvent.objects.filter(
        object_type="assessments.postevaluation", action=AuditAction.CREATE
    ).exists()

    refused = client.post(url, {"trigger": "whim", "started_on": "", "evaluated_by": ""})
    assert set(refused.context["form"].errors) == {"trigger", "started_on", "evaluated_by"}
    assert PostEvaluation.objects.count() == 1


def test_the_detail_page_reads_tracking_in_a_fixed_number_of_queries(client, issued, staff):
    def detail_queries() -> int:
        with CaptureQueriesContext(connection) as run:
            client.get(issued.get_absolute_url())
        return len(run.captured_queries)

    points = {p.pk: "yes" for p in issued.risk_points.all()}
    tracking.tracking_save(
        assessment=issued,
        record=None,
        data={"due_date": TODAY, "tracked_by": "甲"},
        measures=points,
        actor=staff,
    )
    client.force_login(staff)
    one = detail_queries()
    for n in range(5):
        tracking.tracking_save(
            assessment=issued,
            record=None,
            data={"due_date": TODAY, "tracked_by": f"人{n}"},
            measures=points,
            actor=staff,
        )
        tracking.post_evaluation_save(
            assessment=issued,
            evaluation=None,
            data={"trigger": "organ_decision", "started_on": TODAY, "evaluated_by": "区政府"},
            actor=staff,
        )
    assert detail_queries() == one
