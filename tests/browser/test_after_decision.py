"""After the decision, in the browser: staff of the owning unit record tracking on the issued
reference report (a refused input is marked beside its field and kept), an overdue record is
marked, and a new draft is started from the issued one."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.demo import load_demo, load_demo_spec
from assessments.issuing import tasks
from assessments.models import Assessment, Status, TrackingRecord

from .conftest import login, outside_the_event_loop, press

PASSWORD = "Demo-pass-1"
REFERENCE = "《周村区新型智慧城市顶层设计》"


@pytest.fixture
def issued(transactional_db):
    passwords = {u["username"]: PASSWORD for u in load_demo_spec()["users"]}
    outside_the_event_loop(load_demo, passwords=passwords)
    reference = Assessment.objects.get(project_name=REFERENCE)
    if reference.status != Status.ISSUED:
        outside_the_event_loop(tasks.issue_report, assessment_id=reference.pk)
    reference.refresh_from_db()
    assert reference.status == Status.ISSUED
    return reference


def open_reference(page) -> None:
    page.locator("#section-issued").get_by_role("link", name=REFERENCE).click()
    expect(page.locator("#after-decision")).to_be_visible()


def test_tracking_is_recorded_refused_input_kept_and_overdue_marked(page, screenshot, issued):
    today = timezone.localdate()
    before = TrackingRecord.objects.filter(assessment=issued).count()
    login(page, "assessor", PASSWORD)
    open_reference(page)

    page.get_by_role("link", name="新增跟踪记录").click()
    page.get_by_label("到期日").fill(f"{today - datetime.timedelta(days=1):%Y-%m-%d}")
    page.get_by_label("跟踪人").fill("区大数据局 李某")
    page.get_by_label("跟踪日期").fill(f"{today:%Y-%m-%d}")
    press(page, "保存")
    # Tracked on a day but nothing found said: refused beside the field, the input kept.
    expect(page.get_by_text("内容未保存：请修改标出的字段。")).to_be_visible()
    expect(page.get_by_text("已填写跟踪日期，请同时填写跟踪发现的情况。")).to_be_visible()
    expect(page.get_by_label("跟踪人")).to_have_value("区大数据局 李某")
    screenshot(page, "tracking-1-refused")
    assert TrackingRecord.objects.filter(assessment=issued).count() == before

    page.get_by_label("跟踪发现的情况").fill("各项措施已按计划落实，未发现新的风险。")
    press(page, "保存")
    expect(page.get_by_text("跟踪记录已保存。")).to_be_visible()
    panel = page.locator("#after-decision")
    expect(panel).to_contain_text("各项措施已按计划落实，未发现新的风险。")

    # A record past its due date with nothing found is marked overdue.
    page.get_by_role("link", name="新增跟踪记录").click()
    page.get_by_label("到期日").fill(f"{today - datetime.timedelta(days=3):%Y-%m-%d}")
    page.get_by_label("跟踪人").fill("区大数据局 张某")
    press(page, "保存")
    expect(page.get_by_text("跟踪记录已保存。")).to_be_visible()
    late = panel.locator(".tracking-record", has_text="区大数据局 张某")
    expect(late.locator(".overdue-mark")).to_have_count(1)
    done = panel.locator(".tracking-record", has_text="区大数据局 李某")
    expect(done.locator(".overdue-mark")).to_have_count(0)
    expect(panel.locator("#overdue-summary")).to_be_visible()
    screenshot(page, "tracking-2-overdue")
    assert TrackingRecord.objects.filter(assessment=issued).count() == before + 2


def test_a_new_draft_is_started_from_the_issued_report(page, screenshot, issued):
    drafts = Assessment.objects.filter(project_name=issued.project_name, status=Status.DRAFT)
    assert drafts.count() == 0
    login(page, "assessor", PASSWORD)
    open_reference(page)
    press(page, "以此为基础新建")
    copy = drafts.get()
    expect(page).to_have_url(f"{page.base_url}/assessments/{copy.pk}/steps/project/")
    expect(page.locator("input[name='project_name']")).to_have_value(issued.project_name)
    screenshot(page, "copy-new-draft")
    assert copy.owner_unit_id == issued.owner_unit_id
