"""Notifications (issue 18, point 2): the workflow's transitions tell the right people, in
the product and by e-mail after the commit; the text follows the reader's language."""

import pytest
from django.core import mail
from django.utils import translation

from assessments.issuing.tasks import approve_and_issue
from assessments.models import LocalityRule, Notification, NotificationKind, Role
from assessments.services import notifications, workflow
from tests.factories import complete_assessment, make_assessment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(unit):
    return {
        "author": make_user("alice", roles=[Role.ASSESSOR], units=[unit], email="a@example.cn"),
        "colleague": make_user("amy", roles=[Role.ASSESSOR], units=[unit]),
        "reviewer": make_user("bob", roles=[Role.REVIEWER], units=[unit], email="b@example.cn"),
        "clerk": make_user("carol", roles=[Role.CLERK], units=[unit], email="c@example.cn"),
    }


@pytest.fixture
def submitted(unit, people, risk_scheme, django_capture_on_commit_callbacks):
    assessment = complete_assessment(make_assessment(unit=unit, author=people["author"]))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assessment_submit(assessment=assessment, actor=people["author"])
    return assessment


def told(kind):
    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


def test_a_return_tells_the_author_and_the_units_assessors_not_the_reviewer(
    submitted, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.assessment_return(
            assessment=submitted, actor=people["reviewer"], comment="请补充问卷"
        )

    assert told(NotificationKind.RETURNED) == ["alice", "amy"]
    assert len(callbacks) == 1
    # Only the author has an address: amy is told in the product only.
    assert [message.to for message in mail.outbox] == [["a@example.cn"]]
    body = mail.outbox[0].body
    assert "请补充问卷" in body and f"/assessments/{submitted.pk}/" in body
    assert "退回" in mail.outbox[0].subject


def test_the_mail_goes_only_once_the_transaction_committed(
    submitted, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.assessment_return(assessment=submitted, actor=people["reviewer"], comment="改")

    assert mail.outbox == []  # not yet: the transaction has not committed
    assert len(callbacks) == 1


def test_a_refused_transition_tells_nobody(submitted, people):
    with pytest.raises(workflow.TransitionRefused):
        workflow.assessment_return(assessment=submitted, actor=people["reviewer"], comment="")

    assert Notification.objects.count() == 0


def test_approval_and_issue_tell_the_author_assessors_and_clerks(
    submitted, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approve_and_issue(assessment=submitted, actor=people["reviewer"])

    submitted.refresh_from_db()
    assert submitted.status == "issued"
    assert told(NotificationKind.APPROVED) == ["alice", "amy"]
    assert told(NotificationKind.ISSUED) == ["alice", "amy", "carol"]
    issued = Notification.objects.filter(kind=NotificationKind.ISSUED).first()
    assert issued.params["number"] == submitted.signed_report.report_number
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.cn", "a@example.cn", "c@example.cn"]


def test_the_text_is_rendered_in_the_readers_language(submitted, people):
    workflow.assessment_return(assessment=submitted, actor=people["reviewer"], comment="改")
    row = Notification.objects.filter(recipient=people["author"]).get()

    with translation.override("en"):
        english = notifications.notification_text(row)
    with translation.override("zh-hans"):
        chinese = notifications.notification_text(row)

    assert "returned for revision" in english
    assert "退回" in chinese and "returned" not in chinese
    assert submitted.title in english and submitted.title in chinese


def test_a_missing_parameter_prints_an_ellipsis_not_an_error(people):
    row = notifications.notify(
        [people["clerk"]], NotificationKind.FILING_RECEIVED, params={"title": "某项目"}
    )[0]

    with translation.override("en"):
        assert notifications.notification_text(row) == "The filing of “某项目” was received by …."


def test_notify_tells_each_person_once_per_key_and_day(people):
    import datetime

    day = datetime.date(2026, 12, 1)
    first = notifications.notify(
        [people["clerk"], people["clerk"], people["reviewer"]],
        NotificationKind.DUE_SOON,
        params={"what": "filing", "title": "某项目", "due": "2026-12-01"},
        key="filing:1",
        day=day,
    )
    again = notifications.notify(
        [people["clerk"], people["author"]],
        NotificationKind.DUE_SOON,
        params={"what": "filing", "title": "某项目", "due": "2026-12-01"},
        key="filing:1",
        day=day,
    )

    assert len(first) == 2
    assert [row.recipient_id for row in again] == [people["author"].pk]
    assert Notification.objects.count() == 3


def test_an_unknown_kind_is_refused(people):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notifications.notify([people["clerk"]], "gossip")


def test_a_mail_server_that_is_down_loses_the_mail_not_the_notification(
    people, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    class Down:
        def send_messages(self, messages):
            raise ConnectionRefusedError("no SMTP here")

    monkeypatch.setattr(notifications.mailers.__class__, "default", property(lambda s: Down()))
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([people["clerk"]], NotificationKind.FILING_ANSWERED)

    assert Notification.objects.filter(recipient=people["clerk"]).count() == 1
    assert "could not be sent" in caplog.text


def test_submission_fixes_the_review_due_date_from_the_locality_rule(unit, people, risk_scheme):
    import datetime

    from django.utils import timezone

    LocalityRule.objects.create(
        unit=unit, mode="simple", key="review_due_days", number=5, source="某区细则第三条"
    )
    assessment = complete_assessment(make_assessment(unit=unit, author=people["author"]))
    workflow.assessment_submit(assessment=assessment, actor=people["author"])
    assessment.refresh_from_db()

    assert assessment.review_due == timezone.localdate() + datetime.timedelta(days=5)


def test_without_a_rule_there_is_no_review_due_date(submitted):
    submitted.refresh_from_db()
    assert submitted.review_due is None
