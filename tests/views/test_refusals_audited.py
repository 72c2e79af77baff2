"""Every refusal is audited once and logged in one line; a server error keeps its traceback."""

import io
import logging

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path, reverse

from assessments.models import Assessment, AuditAction, AuditEvent
from tests.factories import PASSWORD
from zhoucun_risk.urls import handler403  # noqa: F401 - the project's own, for this urlconf


@login_not_required
def forbidden_elsewhere(request):
    raise PermissionDenied("not for you")


@login_not_required
def broken(request):
    raise RuntimeError("a real bug")


# The project's URLs plus two that fail the way code outside the app can (urls marker below).
urlpatterns = [
    path("test/forbidden/", forbidden_elsewhere),
    path("test/broken/", broken),
    path("", include("zhoucun_risk.urls")),
]


# force_login() writes a LOGIN row; every test counts the rows after it.


def request_log(caplog):
    return [r for r in caplog.records if r.name == "django.request"]


@pytest.mark.django_db
def test_an_app_refusal_is_audited_once_and_logged_in_one_line(client, reviewer, caplog):
    client.force_login(reviewer)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("assessments:new"))

    assert response.status_code == 403
    assert "您无权进行此操作" in response.text
    denial = AuditEvent.objects.exclude(action=AuditAction.LOGIN).get()
    assert (denial.action, denial.user, denial.success) == (
        AuditAction.PERMISSION_DENIED,
        reviewer,
        False,
    )
    [record] = request_log(caplog)
    assert record.exc_info is None
    assert record.getMessage() == "Forbidden (Permission denied): /assessments/new/ (create)"
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_refusal_raised_outside_the_app_is_audited_by_the_403_handler(client, assessor):
    client.force_login(assessor)

    response = client.get("/test/forbidden/")

    assert response.status_code == 403
    denial = AuditEvent.objects.exclude(action=AuditAction.LOGIN).get()
    assert (denial.action, denial.user, denial.success) == (
        AuditAction.PERMISSION_DENIED,
        assessor,
        False,
    )
    assert denial.detail == "GET /test/forbidden/: not for you"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_server_error_keeps_its_traceback(caplog):
    client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test/broken/")

    assert response.status_code == 500
    [record] = request_log(caplog)
    assert record.exc_info is not None
    assert "Traceback" in caplog.text
    assert "RuntimeError: a real bug" in caplog.text


@pytest.mark.django_db
def test_a_post_without_csrf_token_is_refused_audited_and_creates_nothing(assessor, unit):
    client = Client(enforce_csrf_checks=True)
    client.force_login(assessor)

    response = client.post(reverse("assessments:new"), {"title": "伪造的表单", "unit": unit.pk})

    assert response.status_code == 403
    assert "您无权进行此操作" in response.text
    assert not Assessment.objects.exists()
    refusal = AuditEvent.objects.exclude(action=AuditAction.LOGIN).get()
    assert (refusal.action, refusal.user, refusal.username, refusal.success) == (
        AuditAction.PERMISSION_DENIED,
        assessor,
        "alice",
        False,
    )
    assert refusal.detail.startswith("CSRF: ")
    assert refusal.detail.endswith(": POST /assessments/new/")
    assert refusal.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_a_login_post_without_csrf_token_records_the_username_typed(assessor):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 403
    assert "请刷新页面后重试" in response.text
    assert "_auth_user_id" not in client.session
    refusal = AuditEvent.objects.exclude(action=AuditAction.LOGIN).get()
    assert (refusal.action, refusal.user, refusal.username) == (
        AuditAction.PERMISSION_DENIED,
        None,
        "alice",
    )
    assert refusal.detail.endswith(": POST /accounts/login/")


@pytest.mark.django_db
def test_a_post_with_its_csrf_token_is_not_refused(assessor):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value

    response = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.LOGIN]


@pytest.fixture
def server_log():
    """What the configured console handler writes, as a string."""
    [console] = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    stream = io.StringIO()
    original = console.setStream(stream)
    yield stream
    console.setStream(original)


@pytest.mark.django_db
def test_a_refused_host_is_one_line_in_the_server_log(server_log):
    # django.security.DisallowedHost: one of the many django.security.<Name> loggers, caught
    # by the filter on the console handler.
    response = Client(raise_request_exception=False).get("/", headers={"host": "evil.example"})

    assert response.status_code == 400
    lines = server_log.getvalue().splitlines()
    assert len(lines) == 1
    assert "Invalid HTTP_HOST header: 'evil.example'" in lines[0]
