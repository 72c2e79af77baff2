"""备案 (issue 18, point 1) in the product: filing from the assessment's page, the oversight
unit's inbox and its actions, who may see and do what, and the 报备表 download."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import (
    AuditAction,
    AuditEvent,
    Filing,
    FilingState,
    LocalityRule,
)
from assessments.services import filing
from tests.factories import complete_assessment, make_assessment
from tests.filing_fixtures import *  # noqa: F403
from tests.filing_fixtures import issue

pytestmark = pytest.mark.django_db


def new_url(assessment) -> str:
    return reverse("assessments:filing_new", kwargs={"pk": assessment.pk})


def act_url(item, act) -> str:
    return reverse("assessments:filing_act", kwargs={"filing_id": item.pk, "act": act})


def text_url(item, act) -> str:
    return reverse("assessments:filing_text", kwargs={"filing_id": item.pk, "act": act})


def form_url(item) -> str:
    return reverse("assessments:filing_form", kwargs={"filing_id": item.pk})


INBOX = reverse("assessments:filing_inbox")


def filing_post(**overrides) -> dict:
    data = {
        "result_use": "决策机关采纳评估结论，项目按期实施。",
        "decision_opinion": "",
        "decision_opinion_date": "",
        "remarks": "",
    }
    data.update(overrides)
    return data


def test_the_clerk_files_from_the_assessment_page_and_sees_where_it_stands(
    client, issued, clerk, district
):
    client.force_login(clerk)
    page = client.get(issued.get_absolute_url()).content.decode()
    assert 'id="filing"' in page and new_url(issued) in page

    response = client.post(new_url(issued), filing_post(remarks="附决策会议纪要。"))

    assert response.status_code == 302
    item = Filing.objects.get(assessment=issued)
    assert (item.current_unit, item.filed_by, item.remarks) == (district, clerk, "附决策会议纪要。")
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "周村区委政法委" in page and "待接收" in page
    assert new_url(issued) not in page  # filed: not offered again
    assert form_url(item) in page


def test_bad_input_is_shown_beside_the_field_in_chinese_and_kept(client, issued, clerk):
    client.force_login(clerk)
    response = client.post(
        new_url(issued),
        filing_post(remarks="备注" * 1001, decision_opinion_date="不是日期"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    date_error = page.split('id="error_1_id_decision_opinion_date"')[1].split("</p>")[0]
    remarks_error = page.split('id="error_1_id_remarks"')[1].split("</p>")[0]
    assert "输入一个有效的日期" in date_error
    assert "不超过 2000 字符" in remarks_error
    assert "备注" * 1001 in page and 'value="不是日期"' in page  # kept
    assert not Filing.objects.exists()


def test_only_a_clerk_of_the_owning_unit_files(client, issued, author, overseer, stranger):
    for user, status in ((author, 403), (overseer, 403), (stranger, 404)):
        client.force_login(user)
        assert client.post(new_url(issued), filing_post()).status_code == status
    assert not Filing.objects.exists()


def test_anonymous_users_are_sent_to_login(client, issued, clerk):
    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    for url in (INBOX, new_url(issued), form_url(item), text_url(item, "opinion")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(act_url(item, "receive"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert Filing.objects.get(pk=item.pk).state == FilingState.SENT


def test_filing_a_second_time_is_refused_with_a_message(client, issued, clerk):
    filing.file_report(assessment=issued, data={}, actor=clerk)
    client.force_login(clerk)
    response = client.post(new_url(issued), filing_post(), follow=True)

    assert "已经报备" in response.content.decode()
    assert Filing.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.REFUSED, success=False).exists()


def test_the_oversight_above_works_the_filing_from_its_inbox(client, issued, clerk, overseer):
    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    client.force_login(overseer)
    home = client.get(reverse("assessments:home")).content.decode()
    assert INBOX in home  # the navigation's link

    inbox = client.get(INBOX).content.decode()
    assert issued.project_name in inbox and act_url(item, "receive") in inbox

    assert client.post(act_url(item, "receive")).status_code == 302
    response = client.post(text_url(item, "opinion"), {"text": "经审查，同意备案。"})
    assert response.status_code == 302
    assert client.post(act_url(item, "approve")).status_code == 302

    item.refresh_from_db()
    assert item.state == FilingState.APPROVED
    inbox = client.get(INBOX).content.decode()
    assert "经审查，同意备案。" in inbox and act_url(item, "forward") in inbox
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "经审查，同意备案。" in page and "已审定" in page


def test_an_empty_opinion_is_shown_beside_the_field_and_nothing_changes(
    client, issued, clerk, overseer
):
    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    filing.receive(filing=item, actor=overseer)
    client.force_login(overseer)

    response = client.post(text_url(item, "opinion"), {"text": "   "})

    assert response.status_code == 200
    assert "请写明" in response.content.decode()
    assert Filing.objects.get(pk=item.pk).state == FilingState.RECEIVED


def test_a_wrong_state_act_is_refused_with_a_message_and_audited(client, issued, clerk, overseer):
    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    client.force_login(overseer)

    response = client.post(act_url(item, "approve"), follow=True)

    assert "请先填写书面意见" in response.content.decode()
    assert Filing.objects.get(pk=item.pk).state == FilingState.SENT
    assert AuditEvent.objects.filter(
        action=AuditAction.REFUSED, object_type="assessments.filing", object_id=str(item.pk)
    ).exists()


def test_the_owning_unit_reads_but_does_not_act_and_others_get_404(
    client, issued, clerk, stranger, city_overseer
):
    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    client.force_login(clerk)
    assert client.post(act_url(item, "receive")).status_code == 403
    assert client.get(form_url(item)).status_code == 200
    assert client.get(INBOX).status_code == 403

    client.force_login(stranger)
    for url in (form_url(item), text_url(item, "opinion")):
        assert client.get(url).status_code == 404
    assert client.post(act_url(item, "receive")).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_DENIED, object_type="assessments.filing"
    ).exists()

    # The city has not received it yet: not in its chain, and not in its inbox.
    client.force_login(city_overseer)
    assert client.post(act_url(item, "receive")).status_code == 404
    assert issued.project_name not in client.get(INBOX).content.decode()
    assert Filing.objects.get(pk=item.pk).state == FilingState.SENT


def test_forwarded_the_city_works_it_and_the_district_may_still_download(
    client, issued, clerk, overseer, city_overseer, city
):
    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    filing.receive(filing=item, actor=overseer)
    filing.record_opinion(filing=item, text="同意。", actor=overseer)
    filing.approve(filing=item, actor=overseer)
    client.force_login(overseer)
    client.post(act_url(item, "forward"))
    assert Filing.objects.get(pk=item.pk).current_unit == city
    assert client.post(act_url(item, "receive")).status_code == 403  # no longer with it
    assert client.get(form_url(item)).status_code == 200

    client.force_login(city_overseer)
    assert issued.project_name in client.get(INBOX).content.decode()
    assert client.post(act_url(item, "receive")).status_code == 302
    assert Filing.objects.get(pk=item.pk).state == FilingState.RECEIVED


def test_a_returned_filing_says_why_and_may_be_filed_again(client, issued, clerk, overseer):
    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    client.force_login(overseer)
    client.post(text_url(item, "return"), {"text": "请补充决策部门意见。"})

    client.force_login(clerk)
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "请补充决策部门意见。" in page and new_url(issued) in page


def test_the_due_date_shows_and_an_unfiled_report_past_it_is_marked_overdue(
    client, issued, clerk, district, monkeypatch
):
    client.force_login(clerk)
    assert 'id="filing-due"' not in client.get(issued.get_absolute_url()).content.decode()

    LocalityRule.objects.create(
        unit=district, mode="simple", key="filing_due_days", required=True, number=10, source="x"
    )
    page = client.get(issued.get_absolute_url()).content.decode()
    assert 'id="filing-due"' in page and "overdue-mark" not in page

    real = timezone.localdate
    later = real() + datetime.timedelta(days=11)
    monkeypatch.setattr(
        timezone, "localdate", lambda value=None, tz=None: real(value, tz) if value else later
    )
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "overdue-mark" in page

    item = filing.file_report(assessment=issued, data={}, actor=clerk)
    Filing.objects.filter(pk=item.pk).update(filed_at=timezone.now() + datetime.timedelta(days=11))
    page = client.get(issued.get_absolute_url()).content.decode()
    block = page[page.index('id="filing"') : page.index('id="after-decision"')]
    assert "overdue-mark" not in block and "逾期报备" in block  # filed, but late


def test_the_inbox_reads_a_page_in_the_same_queries_whatever_its_length(
    client, issued, clerk, overseer, bureau, author, bureau_reviewer, django_assert_num_queries
):
    filing.file_report(assessment=issued, data={}, actor=clerk)
    client.force_login(overseer)
    client.get(INBOX)  # the session and the caches settle

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(INBOX).status_code == 200
        return len(queries)

    one = count()
    for n in range(4):
        other = issue(
            complete_assessment(
                make_assessment(unit=bureau, author=author, project_name=f"项目{n}")
            ),
            bureau_reviewer,
        )
        item = filing.file_report(assessment=other, data={}, actor=clerk)
        filing.receive(filing=item, actor=overseer)
        filing.record_opinion(filing=item, text=f"意见{n}", actor=overseer)
    assert count() == one
    page = client.get(INBOX).content.decode()
    assert all(f"意见{n}" in page for n in range(4))


def test_the_inbox_pages_by_key(
    client, issued, clerk, overseer, bureau, author, bureau_reviewer, monkeypatch
):
    from assessments.views import filing as views

    monkeypatch.setattr(views, "INBOX_PAGE_SIZE", 1)
    other = issue(
        complete_assessment(make_assessment(unit=bureau, author=author, project_name="第二项目")),
        bureau_reviewer,
    )
    filing.file_report(assessment=issued, data={}, actor=clerk)
    filing.file_report(assessment=other, data={}, actor=clerk)
    client.force_login(overseer)

    first = client.get(INBOX).content.decode()
    assert "第二项目" in first and issued.project_name not in first
    cursor = first.split("after=")[1].split('"')[0]
    second = client.get(f"{INBOX}?after={cursor}").content.decode()
    assert issued.project_name in second and "第二项目" not in second


def test_filing_with_nothing_added_is_filing_all_the_same(client, issued, clerk):
    client.force_login(clerk)

    assert client.post(new_url(issued), {}).status_code == 302
    assert Filing.objects.get(assessment=issued).remarks == ""


def test_a_report_not_issued_cannot_be_filed(client, bureau, author, clerk, risk_scheme):
    draft = complete_assessment(make_assessment(unit=bureau, author=author))
    client.force_login(clerk)

    response = client.post(new_url(draft), filing_post(), follow=True)

    assert "只有已签发的报告才能报备" in response.content.decode()
    assert not Filing.objects.exists()
