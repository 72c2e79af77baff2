"""Changing one's own password, and the forced change after a temporary password."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, Profile
from assessments.services import memberships
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Eigenes-Passwort-42"


@pytest.fixture
def temporary(unit_admin, assessor) -> str:
    """alice's password was reset by her unit administrator; returns the temporary one."""
    return memberships.password_reset(actor=unit_admin, user=assessor)


def log_in(client, username: str, password: str) -> None:
    """Through the login page, as a person does (django-axes needs the request)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, "login failed"


def change(client, old: str, new: str, confirm: str | None = None):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": confirm or new},
    )


def test_a_user_with_a_temporary_password_is_sent_to_change_it(client, assessor, temporary):
    log_in(client, "alice", temporary)

    for path in (reverse("assessments:home"), reverse("assessments:list"), "/units/", "/admin/"):
        response = client.get(path)
        assert (response.status_code, response.url) == (302, reverse("password_change")), path

    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert page.context["forced"]


def test_logging_out_and_switching_language_still_work(client, assessor, temporary):
    log_in(client, "alice", temporary)

    assert client.post(reverse("set_language"), {"language": "en"}).url != reverse(
        "password_change"
    )
    response = client.post(reverse("logout"))

    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_htmx_requests_are_sent_to_the_page_too(client, assessor, temporary):
    log_in(client, "alice", temporary)

    response = client.get(reverse("assessments:home"), headers={"HX-Request": "true"})

    assert response["HX-Redirect"] == reverse("password_change")


def test_changing_the_password_clears_the_flag_and_lets_the_user_in(client, assessor, temporary):
    log_in(client, "alice", temporary)

    response = change(client, temporary, NEW_PASSWORD)

    assert response.url == reverse("password_change_done")
    assert client.get(reverse("password_change_done")).status_code == 200
    assert client.get(reverse("assessments:home")).status_code == 200  # same session, let in
    assessor.refresh_from_db()
    assert assessor.check_password(NEW_PASSWORD)
    assert not Profile.objects.get(user=assessor).must_change_password
    row = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert (row.username, row.old_state, row.new_state) == (
        "alice",
        "temporary password",
        "own password",
    )


@pytest.mark.parametrize(
    ("new", "confirm", "field"),
    [
        ("short1A", None, "new_password2"),  # too short
        ("alllowercaseletters", None, "new_password2"),  # one character class
        (NEW_PASSWORD, NEW_PASSWORD + "x", "new_password2"),  # confirmation differs
        ("same", None, "new_password1"),  # the temporary password again
    ],
    ids=["too-short", "too-simple", "mismatch", "unchanged"],
)
def test_a_refused_new_password_is_explained_beside_the_field(
    client, assessor, temporary, new, confirm, field
):
    new = temporary if new == "same" else new
    log_in(client, "alice", temporary)

    response = change(client, temporary, new, confirm)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Profile.objects.get(user=assessor).must_change_password
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()


def test_a_wrong_old_password_is_refused(client, assessor, temporary):
    log_in(client, "alice", temporary)

    response = change(client, "wrong", NEW_PASSWORD)

    assert list(response.context["form"].errors) == ["old_password"]


def test_a_user_without_the_flag_goes_anywhere_and_may_change_it(client, assessor):
    log_in(client, "alice", PASSWORD)

    assert client.get(reverse("assessments:home")).status_code == 200
    assert change(client, PASSWORD, NEW_PASSWORD).url == reverse("password_change_done")
    assert AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED).old_state == "own password"


def test_the_flag_is_read_at_login_and_not_by_pages(client, assessor):
    log_in(client, "alice", PASSWORD)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("assessments:home")).status_code == 200
        client.get(reverse("assessments:list"))

    assert not [q for q in queries if "assessments_profile" in q["sql"]]


def test_a_session_from_before_the_flag_existed_reads_it_once(client, assessor, temporary):
    log_in(client, "alice", temporary)
    session = client.session
    session.pop("_zhoucun_must_change_password")
    session.save()

    assert client.get(reverse("assessments:home")).url == reverse("password_change")
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("assessments:list"))
    assert not [q for q in queries if "assessments_profile" in q["sql"]]


def test_a_reset_while_logged_in_ends_the_session_and_the_next_login_must_change(
    client, unit_admin, assessor
):
    log_in(client, "alice", PASSWORD)
    client.get(reverse("assessments:home"))  # the flag (not set) is now cached in the session

    password = memberships.password_reset(actor=unit_admin, user=assessor)

    assert client.get(reverse("assessments:home")).url.startswith(reverse("login"))
    log_in(client, "alice", password)
    assert client.get(reverse("assessments:home")).url == reverse("password_change")


def test_the_navigation_offers_the_password_change(client, assessor):
    client.force_login(assessor)

    assert reverse("password_change") in client.get(reverse("assessments:home")).text
