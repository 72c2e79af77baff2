"""Issue 19 point 5: no page shown to one bureau prints the title of another bureau's work.

The access matrix once found 周村's project titles on 张店's pages: the form's help texts
used the demo's titles as examples. Walked here over the demo data, as every person of
张店 sees it: lists, details, every step of the guided form, review, unit administration."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.demo import load_demo
from assessments.models import Assessment, Unit
from assessments.wizard.flow import steps_for

pytestmark = pytest.mark.django_db

OTHER, OWN = "zhoucun-bdb", "zhangdian-bdb"
PEOPLE = ["assessor_zd", "reviewer_zd", "unitadmin_zd"]


@pytest.fixture
def demo(risk_scheme):
    load_demo()
    return {unit.code: unit for unit in Unit.objects.all()}


def pages_of(unit: Unit) -> list[str]:
    urls = [
        reverse("assessments:home"),
        reverse("assessments:list"),
        reverse("assessments:export"),
        reverse("assessments:new"),
        reverse("assessments:review_queue"),
        reverse("password_change"),
        reverse("verify_upload"),
        reverse("units:list"),
        reverse("units:detail", args=[unit.pk]),
        reverse("units:settings", args=[unit.pk]),
        reverse("units:user_new", args=[unit.pk]),
    ]
    for assessment in Assessment.objects.filter(owner_unit=unit):
        urls += [
            reverse("assessments:detail", args=[assessment.pk]),
            reverse("assessments:review", args=[assessment.pk]),
            reverse("assessments:issue_status", args=[assessment.pk]),
        ]
        urls += [
            reverse("assessments:step", args=[assessment.pk, step.slug])
            for step in steps_for(assessment)
        ]
    return urls


@pytest.mark.parametrize("username", PEOPLE)
def test_no_page_of_one_bureau_prints_another_bureaus_titles(client, demo, username):
    foreign = Assessment.objects.filter(owner_unit=demo[OTHER])
    secrets = {text for pair in foreign.values_list("title", "project_name") for text in pair}
    assert len(secrets) >= 6  # the demo's 周村 work: something to leak
    client.force_login(_user(username))
    answered = 0

    for url in pages_of(demo[OWN]):
        response = client.get(url, follow=True)
        if response.status_code != 200:
            continue  # a page this person may not open shows nothing at all
        answered += 1
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        leaked = sorted(secret for secret in secrets if secret in text)
        assert leaked == [], f"{username} {url}"

    assert answered >= 8, f"{username} saw too few pages for the walk to mean anything"


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
