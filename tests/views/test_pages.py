import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from assessments.demo import load_demo, load_demo_spec

pytestmark = pytest.mark.django_db


def test_the_login_page_is_served_in_chinese(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "社会稳定风险评估系统" in response.text
    assert "登录" in response.text


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("assessments:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_admin_lists_the_demo_assessments(client):
    passwords = {u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]}
    load_demo(passwords=passwords)
    client.force_login(get_user_model().objects.get(username="admin"))

    response = client.get(reverse("admin:assessments_assessment_changelist"))

    assert response.status_code == 200
    assert "周村区重大项目社会稳定风险评估报告" in response.text
    assert "周村区2026年度老旧小区改造项目" in response.text


def test_the_admin_shows_audit_events_but_offers_no_way_to_change_them(client, admin_user):
    client.force_login(admin_user)

    listing = client.get(reverse("admin:assessments_auditevent_changelist"))
    add = client.get(reverse("admin:assessments_auditevent_add"))

    assert listing.status_code == 200
    assert add.status_code == 403


def test_the_interface_is_chinese_even_for_an_english_browser(client):
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})

    assert "登录" in response.text


def test_english_can_be_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get(reverse("login"))

    assert "Log in" in response.text


def test_no_template_comment_leaks_into_pages(client):
    response = client.get(reverse("login"))

    assert "{#" not in response.text and "{% comment" not in response.text


def test_the_admin_shows_assessments_but_cannot_change_them(client, admin_user, draft):
    client.force_login(admin_user)

    change = client.get(reverse("admin:assessments_assessment_change", args=[draft.pk]))
    post = client.post(
        reverse("admin:assessments_assessment_change", args=[draft.pk]), {"title": "改"}
    )

    assert change.status_code == 200
    assert post.status_code == 403
    draft.refresh_from_db()
    assert draft.title != "改"
