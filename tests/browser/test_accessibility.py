"""Every kind of page, for every role and in both languages, passes axe-core's WCAG 2.1 A/AA
rules (the page fixture runs axe on each page and fails on any violation)."""

import datetime

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from assessments.demo import load_demo, load_demo_spec
from assessments.models import Assessment, SignedReport, Status
from assessments.wizard.flow import STEPS
from tests.factories import complete_assessment

from .conftest import login, outside_the_event_loop, visit

PASSWORD = "Demo-pass-1"


@pytest.fixture
def demo(transactional_db, settings, live_server):
    settings.ZHOUCUN_PUBLIC_URL = live_server.url
    passwords = {u["username"]: PASSWORD for u in load_demo_spec()["users"]}
    outside_the_event_loop(load_demo, passwords=passwords)


def logout(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")


def test_the_pages_of_each_role_pass_axe(page, screenshot, demo):
    base = page.base_url
    mine = Assessment.objects.filter(author__username="assessor")
    draft = mine.get(status=Status.DRAFT)
    # Every step reachable (the wizard sends an incomplete draft to its first missing step).
    Assessment.objects.filter(pk=draft.pk).update(report_date=datetime.date(2026, 11, 1))
    complete_assessment(Assessment.objects.get(pk=draft.pk))
    submitted = mine.get(status=Status.SUBMITTED)
    # The published reference report (the demo holds other simple reports by now).
    reference = next(a for a in load_demo_spec()["assessments"] if a["key"] == "zhoucun-2021")
    issued = SignedReport.objects.get(assessment__title=reference["title"])

    visit(page, f"{base}/verify/")
    visit(page, f"{base}/verify/{issued.verification_token}/")
    visit(page, f"{base}/no-such-page/", status=404)
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()

    login(page, "assessor", PASSWORD)
    for url in (
        "/",
        "/assessments/",
        f"/assessments/{draft.pk}/",
        f"/assessments/{issued.assessment_id}/",
        *(f"/assessments/{draft.pk}/steps/{step.slug}/" for step in STEPS),
        "/assessments/new/",
    ):
        visit(page, base + url)
    logout(page)

    login(page, "reviewer", PASSWORD)
    for url in ("/review/", f"/assessments/{submitted.pk}/review/"):
        visit(page, base + url)
    screenshot(page, "a11y-review-page")
    logout(page)

    # The English interface too.
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}]
    )
    login_en(page, "assessor")
    for url in ("/", "/assessments/", f"/assessments/{draft.pk}/steps/conclusion/"):
        visit(page, base + url)
    screenshot(page, "a11y-english-conclusion")
    assert len(page.axe_checked) >= 18, sorted(page.axe_checked)


def login_en(page, username):
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
