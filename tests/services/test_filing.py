"""备案 (issue 18, point 1): the filing's state machine, its refusals, its audit rows and
its append-only history; the deadline a locality sets."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.lists.filings import overdue_filings
from assessments.models import (
    AuditAction,
    AuditEvent,
    Filing,
    FilingAction,
    FilingState,
    FilingStep,
    LocalityRule,
    SignedReport,
)
from assessments.services import filing
from assessments.services.filing import FilingRefused
from tests.factories import complete_assessment, make_assessment
from tests.filing_fixtures import *  # noqa: F403
from tests.filing_fixtures import issue

pytestmark = pytest.mark.django_db


def filed(issued, clerk, **data):
    return filing.file_report(assessment=issued, data=data, actor=clerk)


def audit_of(item):
    return list(
        AuditEvent.objects.filter(object_type="assessments.filing", object_id=str(item.pk))
        .order_by("id")
        .values_list("action", "old_state", "new_state")
    )


def test_a_filing_goes_to_the_nearest_unit_above_and_through_every_step_audited(
    issued, clerk, overseer, district, city
):
    item = filed(issued, clerk, remarks="请审查。")
    assert (item.current_unit, item.state, item.due_date) == (district, FilingState.SENT, None)

    filing.receive(filing=item, actor=overseer)
    filing.record_opinion(filing=item, text="同意备案。", actor=overseer)
    filing.approve(filing=item, actor=overseer)
    item = filing.forward(filing=item, actor=overseer)

    assert (item.current_unit, item.state) == (city, FilingState.SENT)
    steps = list(item.steps.order_by("id").values_list("unit__name", "action", "text"))
    assert steps == [
        ("周村区住建局", FilingAction.FILED, ""),
        ("周村区委政法委", FilingAction.RECEIVED, ""),
        ("周村区委政法委", FilingAction.OPINION, "同意备案。"),
        ("周村区委政法委", FilingAction.APPROVED, ""),
        ("周村区委政法委", FilingAction.FORWARDED, ""),
    ]
    assert audit_of(item) == [
        (AuditAction.CREATE, "", "sent"),
        (AuditAction.TRANSITION, "sent", "received"),
        (AuditAction.TRANSITION, "received", "opinion"),
        (AuditAction.TRANSITION, "opinion", "approved"),
        (AuditAction.TRANSITION, "approved", "sent"),
    ]


@pytest.mark.parametrize(
    ("done", "act", "message"),
    [
        ([], "approve", filing.NO_OPINION),
        ([], "forward", filing.NOT_APPROVED),
        ([], "opinion", filing.NOT_RECEIVED),
        (["receive"], "receive", filing.NOT_SENT),
        (["receive"], "approve", filing.NO_OPINION),
        (["receive", "opinion", "approve"], "opinion", filing.CLOSED),
        (["receive", "opinion", "approve"], "return", filing.CLOSED),
    ],
)
def test_an_act_in_the_wrong_state_is_refused_and_changes_nothing(
    issued, clerk, overseer, done, act, message
):
    item = filed(issued, clerk)
    acts = {
        "receive": lambda: filing.receive(filing=item, actor=overseer),
        "opinion": lambda: filing.record_opinion(filing=item, text="意见", actor=overseer),
        "approve": lambda: filing.approve(filing=item, actor=overseer),
        "forward": lambda: filing.forward(filing=item, actor=overseer),
        "return": lambda: filing.return_filing(filing=item, reason="退回", actor=overseer),
    }
    for name in done:
        acts[name]()
    before = (Filing.objects.get(pk=item.pk).state, FilingStep.objects.count())

    with pytest.raises(FilingRefused) as refused:
        acts[act]()

    assert refused.value.message == message
    assert (Filing.objects.get(pk=item.pk).state, FilingStep.objects.count()) == before


def test_the_top_unit_cannot_forward(issued, clerk, overseer, city_overseer):
    item = filed(issued, clerk)
    for actor in (overseer, city_overseer):
        filing.receive(filing=item, actor=actor)
        filing.record_opinion(filing=item, text="同意。", actor=actor)
        filing.approve(filing=item, actor=actor)
        if actor == overseer:
            item = filing.forward(filing=item, actor=actor)  # now with the city

    with pytest.raises(FilingRefused) as refused:
        filing.forward(filing=item, actor=city_overseer)
    assert refused.value.message == filing.TOP_UNIT


def test_one_active_filing_a_returned_one_may_be_filed_again(issued, clerk, overseer):
    item = filed(issued, clerk)
    with pytest.raises(FilingRefused) as refused:
        filed(issued, clerk)
    assert refused.value.message == filing.ALREADY_FILED

    filing.return_filing(filing=item, reason="缺少决策部门意见。", actor=overseer)
    again = filed(issued, clerk)

    assert Filing.objects.get(pk=item.pk).state == FilingState.RETURNED
    assert again.pk != item.pk and again.state == FilingState.SENT
    with pytest.raises(IntegrityError), transaction.atomic():
        Filing.objects.filter(pk=item.pk).update(state=FilingState.SENT)


def test_only_an_issued_report_of_a_unit_with_a_unit_above_is_filed(
    issued, clerk, author, bureau, city
):
    draft = complete_assessment(make_assessment(unit=bureau, author=author))
    with pytest.raises(FilingRefused) as refused:
        filed(draft, clerk)
    assert refused.value.message == filing.NOT_ISSUED

    issued.owner_unit.parent = None
    issued.owner_unit.save()
    with pytest.raises(FilingRefused) as refused:
        filed(issued, clerk)
    assert refused.value.message == filing.NO_UNIT_ABOVE
    assert not Filing.objects.exists()


def test_an_empty_opinion_or_reason_is_refused(issued, clerk, overseer):
    item = filed(issued, clerk)
    filing.receive(filing=item, actor=overseer)
    with pytest.raises(FilingRefused):
        filing.record_opinion(filing=item, text="  \n", actor=overseer)
    with pytest.raises(FilingRefused):
        filing.return_filing(filing=item, reason="", actor=overseer)
    assert Filing.objects.get(pk=item.pk).state == FilingState.RECEIVED


def test_the_steps_are_append_only(issued, clerk):
    item = filed(issued, clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        FilingStep.objects.filter(filing=item).update(text="改写")


# --- the deadline: a locality's rule, none by default ------------------------------------


def set_days(unit, days, mode="simple"):
    LocalityRule.objects.create(
        unit=unit, mode=mode, key="filing_due_days", required=True, number=days, source="细则"
    )


def test_no_deadline_without_a_rule_and_none_is_shipped(issued, clerk):
    assert not LocalityRule.objects.filter(key="filing_due_days").exists()
    assert (
        overdue_filings([issued.owner_unit_id], timezone.localdate() + datetime.timedelta(999))
        == []
    )
    assert filed(issued, clerk).due_date is None


def test_a_districts_deadline_gives_a_due_date_and_marks_the_unfiled_overdue(
    issued, clerk, district, overseer
):
    set_days(district, 15)
    issued_on = timezone.localdate(SignedReport.objects.get(assessment=issued).signed_at)
    due = issued_on + datetime.timedelta(days=15)

    assert overdue_filings([issued.owner_unit_id], due) == []
    late = overdue_filings([issued.owner_unit_id], due + datetime.timedelta(days=1))
    assert [(o.assessment_id, o.due_date) for o in late] == [(issued.pk, due)]
    assert overdue_filings([district.pk], due + datetime.timedelta(days=1)) == []

    item = filed(issued, clerk)
    assert item.due_date == due
    assert overdue_filings([issued.owner_unit_id], due + datetime.timedelta(days=1)) == []
    filing.return_filing(filing=item, reason="退回", actor=overseer)
    assert len(overdue_filings([issued.owner_unit_id], due + datetime.timedelta(days=1))) == 1


def test_the_nearest_units_rule_wins_and_not_required_means_no_deadline(
    issued, district, city, bureau
):
    set_days(city, 30)
    LocalityRule.objects.create(
        unit=district, mode="simple", key="filing_due_days", required=False, source="区细则"
    )
    far = timezone.localdate() + datetime.timedelta(days=400)
    assert overdue_filings([bureau.pk], far) == []
    set_days(bureau, 5)
    assert len(overdue_filings([bureau.pk], far)) == 1
    set_days(bureau, 5, mode="standard")  # another mode's rule does not apply
    assert len(overdue_filings([bureau.pk], far)) == 1


def test_overdue_filings_is_one_query_for_many_reports(
    issued, bureau, district, author, bureau_reviewer, django_assert_num_queries
):
    for n in range(3):
        issue(
            complete_assessment(
                make_assessment(unit=bureau, author=author, project_name=f"项目{n}")
            ),
            bureau_reviewer,
        )
    set_days(district, 1)
    far = timezone.localdate() + datetime.timedelta(days=30)
    with django_assert_num_queries(3):
        assert len(overdue_filings([bureau.pk, district.pk], far)) == 4


def test_the_bureau_is_told_when_its_filing_is_received_and_answered(
    issued, clerk, author, overseer
):
    from assessments.models import Notification, NotificationKind
    from assessments.services.notifications import notification_text

    def told():
        return [
            (n.recipient.username, n.kind, notification_text(n))
            for n in Notification.objects.filter(
                kind__in=[NotificationKind.FILING_RECEIVED, NotificationKind.FILING_ANSWERED]
            ).order_by("id")
        ]

    item = filed(issued, clerk)
    assert told() == []  # filing is the clerk's own act
    filing.receive(filing=item, actor=overseer)
    filing.record_opinion(filing=item, text="同意备案。", actor=overseer)
    filing.approve(filing=item, actor=overseer)

    title = issued.title
    assert [(who, kind) for who, kind, _text in told()] == [
        ("clara", NotificationKind.FILING_RECEIVED),
        ("clara", NotificationKind.FILING_ANSWERED),
    ]
    assert told()[0][2].endswith("周村区委政法委.") or "周村区委政法委" in told()[0][2]
    assert title in told()[1][2]
    # Not the assessor, who does not file.
    assert not Notification.objects.filter(
        recipient=author, kind=NotificationKind.FILING_ANSWERED
    ).exists()


def test_the_daily_job_reminds_the_clerks_of_a_filing_due_and_tells_the_oversight_once_late(
    issued, clerk, district, overseer, city_overseer
):
    from assessments.models import Notification, NotificationKind
    from assessments.services.reminders import send_reminders

    set_days(district, 15)
    issued_on = timezone.localdate(SignedReport.objects.get(assessment=issued).signed_at)
    due = issued_on + datetime.timedelta(days=15)

    def told(day):
        send_reminders(day)
        return sorted(
            (n.recipient.username, n.kind)
            for n in Notification.objects.filter(key=f"filing:{issued.pk}")
        )

    assert told(due - datetime.timedelta(days=30)) == []  # not near yet
    assert told(due - datetime.timedelta(days=1)) == [("clara", NotificationKind.DUE_SOON)]
    # Overdue: the clerk, and the district's oversight it is to be filed with (not the city's).
    assert told(due + datetime.timedelta(days=1)) == [
        ("clara", NotificationKind.DUE_SOON),
        ("clara", NotificationKind.OVERDUE),
        ("olga", NotificationKind.OVERDUE),
    ]
    filed(issued, clerk)
    Notification.objects.all().delete()
    assert told(due + datetime.timedelta(days=2)) == []  # filed: nothing due


def test_the_dashboard_lists_a_report_not_filed_by_its_deadline(
    client, issued, clerk, district, overseer, stranger
):
    from assessments.lists.dashboard import dashboard

    set_days(district, 15)
    issued_on = timezone.localdate(SignedReport.objects.get(assessment=issued).signed_at)
    late = issued_on + datetime.timedelta(days=16)

    def overdue(user, today):
        (kind,) = [kind for kind in dashboard(user, today).overdue if kind.key == "filing"]
        return kind.total, [(pk, due) for pk, _name, due in kind.rows]

    due = issued_on + datetime.timedelta(days=15)
    assert overdue(clerk, due) == (0, [])
    assert overdue(clerk, late) == (1, [(issued.pk, due)])
    assert overdue(overseer, late) == (1, [(issued.pk, due)])
    assert overdue(stranger, late) == (0, [])
    filed(issued, clerk)
    assert overdue(overseer, late) == (0, [])


def test_an_act_on_a_filing_that_moved_on_meanwhile_is_refused(issued, clerk, overseer):
    """Who may act was asked of the unit the filing was with when read: if it was forwarded
    since, the act is refused rather than done at the unit above."""
    item = filed(issued, clerk)
    seen = type(item).objects.get(pk=item.pk)  # read by a second overseer's page
    filing.receive(filing=item, actor=overseer)
    filing.record_opinion(filing=item, text="同意。", actor=overseer)
    filing.approve(filing=item, actor=overseer)
    filing.forward(filing=item, actor=overseer)
    with pytest.raises(FilingRefused) as refused:
        filing.return_filing(filing=seen, reason="退回", actor=overseer)
    assert refused.value.message == filing.CLOSED
