"""The notification list, the unread count in the navigation and the 公示 period form."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import (
    AuditAction,
    AuditEvent,
    LocalityRule,
    Notification,
    NotificationKind,
)
from assessments.services import notifications
from assessments.web.backends import UNREAD_CAP

pytestmark = pytest.mark.django_db

LIST = reverse("assessments:notifications")


def tell(user, n=1, **extra):
    rows = [
        Notification(
            recipient=user,
            kind=NotificationKind.ISSUED,
            params={"title": f"项目{i}", "number": f"稳评{i}"},
            **extra,
        )
        for i in range(n)
    ]
    return Notification.objects.bulk_create(rows)


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as run:
        response = client.get(url)
    assert response.status_code == 200
    return len(run.captured_queries)


def test_the_list_shows_ones_own_notifications_in_the_readers_language(client, assessor, clerk):
    tell(assessor)
    tell(clerk)
    client.force_login(assessor)

    page = client.get(LIST).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(LIST)

    assert page.count("项目0") == 1
    assert "报告已签发，编号稳评0" in page
    assert "was issued with number 稳评0" in english.content.decode()


def test_the_navigation_shows_the_unread_count_at_no_extra_query(client, assessor):
    client.force_login(assessor)
    home = reverse("assessments:home")
    none = queries(client, home)
    assert 'id="nav-unread"' not in client.get(home).content.decode()

    tell(assessor, 3)
    some = queries(client, home)
    page = client.get(home).content.decode()

    assert some == none
    assert 'id="nav-unread">3' in page
    # It is the user's own query that counts them.
    with CaptureQueriesContext(connection) as run:
        client.get(home)
    counting = [q["sql"] for q in run.captured_queries if "assessments_notification" in q["sql"]]
    assert len(counting) == 1 and counting[0].startswith('SELECT "auth_user"."id"')


def test_the_count_stops_at_the_cap(client, assessor):
    tell(assessor, UNREAD_CAP + 5)
    client.force_login(assessor)

    page = client.get(reverse("assessments:home")).content.decode()

    assert f'id="nav-unread">{UNREAD_CAP - 1}+' in page


def test_the_list_runs_as_many_queries_for_50_rows_as_for_1(client, assessor):
    client.force_login(assessor)
    tell(assessor)
    one = queries(client, LIST)
    tell(assessor, 60)
    many = queries(client, LIST)

    assert many == one


def test_pages_go_by_id_newest_first_and_back(client, assessor):
    rows = tell(assessor, 120)
    ids = sorted((row.pk for row in rows), reverse=True)
    client.force_login(assessor)

    first = client.get(LIST).context["page"]
    second = client.get(LIST, {"after": first.next_cursor}).context["page"]
    third = client.get(LIST, {"after": second.next_cursor}).context["page"]
    back = client.get(LIST, {"before": second.previous_cursor}).context["page"]

    assert [n.pk for n in first] == ids[:50] and first.has_next and not first.has_previous
    assert [n.pk for n in second] == ids[50:100] and second.has_previous
    assert [n.pk for n in third] == ids[100:] and not third.has_next
    assert [n.pk for n in back] == ids[:50]
    # A cursor that is not a number is the first page, never an error.
    assert [n.pk for n in client.get(LIST, {"after": "x'--"}).context["page"]] == ids[:50]


def test_mark_one_and_all_read(client, assessor):
    first, *_others = tell(assessor, 3)
    client.force_login(assessor)

    response = client.post(reverse("assessments:notification_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None

    client.post(reverse("assessments:notifications_read_all"))
    assert Notification.objects.filter(recipient=assessor, read_at__isnull=True).count() == 0
    assert 'id="nav-unread"' not in client.get(LIST).content.decode()


def test_opening_marks_read_and_goes_to_the_assessment(client, assessor, draft):
    (row,) = tell(assessor, assessment=draft)
    client.force_login(assessor)

    response = client.post(reverse("assessments:notification_read", args=[row.pk]), {"open": "1"})

    assert response.url == draft.get_absolute_url()
    row.refresh_from_db()
    assert row.read_at is not None


def test_another_persons_notification_is_a_404_and_stays_unread(client, assessor, clerk):
    (theirs,) = tell(clerk)
    client.force_login(assessor)

    response = client.post(reverse("assessments:notification_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_post_and_csrf(assessor):
    from django.test import Client

    (row,) = tell(assessor)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(assessor)

    assert strict.get(reverse("assessments:notification_read", args=[row.pk])).status_code == 405
    assert strict.post(reverse("assessments:notifications_read_all")).status_code == 403
    row.refresh_from_db()
    assert row.read_at is None


def test_the_list_needs_a_login(client):
    response = client.get(LIST)
    assert response.status_code == 302 and "login" in response.url


# --- the 公示 period -----------------------------------------------------------------------


def publicity_url(assessment):
    return reverse("assessments:publicity", args=[assessment.pk])


def test_the_end_follows_from_the_localitys_default_length(client, assessor, draft, unit):
    LocalityRule.objects.create(
        unit=unit,
        mode="simple",
        key=f"publicity_days.{draft.matter_kind}",
        number=7,
        source="某区细则第五条",
    )
    client.force_login(assessor)

    form_page = client.get(publicity_url(draft)).content.decode()
    response = client.post(publicity_url(draft), {"start": "2026-12-01", "end": ""})

    assert "7" in form_page
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.publicity_start, draft.publicity_end) == (
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 7),
    )
    assert AuditEvent.objects.filter(action=AuditAction.EDIT, detail__contains="publicity").exists()
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "2026-12-01 – 2026-12-07" in detail


def test_without_a_rule_the_end_must_be_given(client, assessor, draft):
    client.force_login(assessor)

    response = client.post(publicity_url(draft), {"start": "2026-12-01", "end": ""})

    assert response.status_code == 200
    assert "请填写公示最后一天" in response.content.decode()
    assert 'value="2026-12-01"' in response.content.decode()  # the input is kept
    draft.refresh_from_db()
    assert draft.publicity_start is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start": "2026-12-09", "end": "2026-12-01"}, "end", "公示结束日期不能早于开始日期"),
        ({"start": "", "end": "2026-12-01"}, "start", "请填写公示开始日期"),
        ({"start": "2026-13-40", "end": ""}, "start", "请输入日期"),
    ],
)
def test_bad_dates_are_refused_beside_the_field(client, assessor, draft, data, field, message):
    client.force_login(assessor)

    response = client.post(publicity_url(draft), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()


def test_the_period_can_be_cleared(client, assessor, draft):
    client.force_login(assessor)
    client.post(publicity_url(draft), {"start": "2026-12-01", "end": "2026-12-03"})

    client.post(publicity_url(draft), {"start": "", "end": ""})

    draft.refresh_from_db()
    assert (draft.publicity_start, draft.publicity_end) == (None, None)


def test_a_reviewer_may_not_edit_it_and_another_unit_gets_a_404(client, reviewer, outsider, draft):
    client.force_login(reviewer)
    assert client.post(publicity_url(draft), {"start": "2026-12-01"}).status_code == 403
    client.force_login(outsider)
    assert client.get(publicity_url(draft)).status_code == 404
    draft.refresh_from_db()
    assert draft.publicity_start is None


def test_the_clerk_may_edit_it(client, clerk, draft):
    client.force_login(clerk)
    response = client.post(publicity_url(draft), {"start": "2026-12-01", "end": "2026-12-01"})
    assert response.status_code == 302


def test_mark_read_service_refuses_someone_elses(assessor, clerk):
    (theirs,) = tell(clerk)
    assert notifications.mark_read(assessor, theirs.pk) is False
