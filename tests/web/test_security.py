import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, Role
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_logout_and_failure_are_audited_with_ip(client, assessor):
    login(client, "alice", "wrong-password")
    login(client, "alice", PASSWORD)
    client.post(reverse("logout"))

    events = list(AuditEvent.objects.order_by("id").values_list("action", "username", "success"))
    assert events == [
        (AuditAction.LOGIN_FAILED, "alice", False),
        (AuditAction.LOGIN, "alice", True),
        (AuditAction.LOGOUT, "alice", True),
    ]
    assert AuditEvent.objects.filter(ip_address="127.0.0.1").count() == 3


@pytest.mark.django_db
def test_a_sixth_failed_login_is_locked_out_even_with_the_right_password(client, assessor):
    for _ in range(5):
        login(client, "alice", "wrong-password")

    response = login(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, username="alice").exists()


@pytest.mark.django_db
def test_four_failures_then_the_right_password_still_logs_in(client, assessor):
    for _ in range(4):
        login(client, "alice", "wrong-password")

    response = login(client, "alice", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(assessor.pk)


@pytest.mark.django_db
def test_a_lockout_of_one_user_does_not_lock_another(client, unit, assessor):
    make_user("bob", roles=[Role.REVIEWER], units=[unit])
    for _ in range(6):
        login(client, "alice", "wrong-password")

    assert login(client, "bob", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_permission_denials_and_exports_are_audited(client, reviewer, assessor):
    client.force_login(reviewer)
    client.get(reverse("assessments:new"))
    client.get(reverse("assessments:export"))

    denied = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert (denied.user, denied.success) == (reviewer, False)
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, user=reviewer).exists()


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short1A", False),  # 7 characters
        ("alllowercase", False),  # one class
        ("lowercase123", False),  # two classes
        ("Lowercase123", True),  # three classes
        ("lower-case-123", True),  # lower, symbol, digit
    ],
)
def test_passwords_need_eight_characters_of_three_kinds(password, accepted):
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


def test_the_idle_session_timeout_is_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Pushed ahead by IdleDeadlineMiddleware at most once a minute, not on every request.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.ZHOUCUN_SESSION_REFRESH_SECONDS == 60


@pytest.mark.django_db
def test_the_csp_header_is_enforced_without_inline_script(client):
    response = client.get(reverse("login"))

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.text


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.prod",
            "DJANGO_SECRET_KEY": "a-long-random-production-key-" + "x7Qp" * 12,
            "DJANGO_ALLOWED_HOSTS": "wenping.example.gov.cn",
            "ZHOUCUN_SIGNING_P12": "/etc/wenping/signer.p12",
            "ZHOUCUN_TRUST_ROOTS": "/etc/wenping/root.pem",
            "ZHOUCUN_PUBLIC_URL": "https://wenping.example.gov.cn",
            "ZHOUCUN_TSA_URL": "https://tsa.example.gov.cn/tsa",
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_a_session_idle_for_more_than_thirty_minutes_is_logged_out(client, assessor):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    login(client, "alice", PASSWORD)
    assert client.get(reverse("assessments:home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("assessments:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_each_request_pushes_the_idle_deadline_thirty_minutes_ahead(client, assessor):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    login(client, "alice", PASSWORD)
    client.get(reverse("assessments:home"))

    remaining = Session.objects.get().expire_date - timezone.now()
    assert 29 * 60 < remaining.total_seconds() <= 30 * 60


@pytest.mark.django_db
def test_reading_pages_writes_the_session_at_most_once_a_minute(client, assessor):
    from unittest import mock

    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    login(client, "alice", PASSWORD)
    client.get(reverse("assessments:home"))
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=10))
    with CaptureQueriesContext(connection) as read:
        assert client.get(reverse("assessments:home")).status_code == 200
    assert not [q for q in read.captured_queries if q["sql"].startswith("UPDATE")]
    assert Session.objects.get().expire_date < timezone.now() + timedelta(minutes=11)

    later = time.time() + 61
    with mock.patch("assessments.web.middleware.time.time", return_value=later):
        assert client.get(reverse("assessments:home")).status_code == 200
    remaining = Session.objects.get().expire_date - timezone.now()
    assert 29 * 60 < remaining.total_seconds() <= 30 * 60
