"""A lockout that cannot be used against the bureau: username and address together, a
higher limit per address, and an audited early unlock. Through the real login view."""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent
from assessments.services.lockout import is_locked_out, locked_out_usernames, lockout_unlock

PASSWORD = "Correct-horse-9"
STRANGER = "10.0.0.1"
OFFICE = "10.0.0.2"


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("admin", password=PASSWORD)


@pytest.fixture
def operator(db):
    return get_user_model().objects.create_user("unitadmin", password=PASSWORD)


def login(client, username, password, address):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail_five_times(client, username="admin", address=STRANGER):
    statuses = [login(client, username, "wrong-password", address).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@pytest.mark.django_db
def test_five_failures_from_one_address_do_not_stop_admin_logging_in_from_another(client, admin):
    fail_five_times(client)

    assert logged_in(login(client, "admin", PASSWORD, OFFICE))


@pytest.mark.django_db
def test_five_failures_lock_admin_at_that_address_even_with_the_right_password(client, admin):
    fail_five_times(client)

    response = login(client, "admin", PASSWORD, STRANGER)

    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
    assert not logged_in(response)
    # Audited when the fifth failure locks, and again when the right password is refused.
    locked = AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, username="admin")
    assert set(locked.values_list("ip_address", "success")) == {(STRANGER, False)}
    assert locked.count() == 2


@pytest.mark.django_db
def test_four_failures_then_the_right_password_logs_in(client, admin):
    for _ in range(4):
        login(client, "admin", "wrong-password", STRANGER)

    assert logged_in(login(client, "admin", PASSWORD, STRANGER))


@pytest.mark.django_db
def test_thirty_failures_across_usernames_lock_the_address(client, admin):
    for n in range(29):
        login(client, f"guess{n}", "wrong-password", STRANGER)
    assert logged_in(login(client, "admin", PASSWORD, STRANGER))  # 29 is below the limit
    client.post(reverse("logout"))

    for n in range(30):
        login(client, f"guess{n}", "wrong-password", STRANGER)

    assert login(client, "admin", PASSWORD, STRANGER).status_code == 429
    assert logged_in(login(client, "admin", PASSWORD, OFFICE))


@pytest.mark.django_db
@override_settings(ZHOUCUN_ADDRESS_FAILURE_LIMIT=8)
def test_the_address_limit_is_a_setting(client, admin):
    for n in range(8):
        login(client, f"guess{n}", "wrong-password", STRANGER)

    assert login(client, "admin", PASSWORD, STRANGER).status_code == 429


@pytest.mark.django_db
def test_an_unlock_lets_the_user_in_from_the_locked_address_and_is_audited(client, admin, operator):
    fail_five_times(client, address=STRANGER)
    fail_five_times(client, address=OFFICE)
    assert is_locked_out("admin")

    removed = lockout_unlock(actor=operator, username="admin")

    assert removed == 2  # one attempt record per address
    assert not is_locked_out("admin")
    unlock = AuditEvent.objects.get(action=AuditAction.UNLOCKED)
    assert (unlock.user, unlock.object_id, unlock.old_state, unlock.new_state) == (
        operator,
        str(admin.pk),
        "locked",
        "unlocked",
    )
    assert unlock.detail == "unlock login: admin"
    assert logged_in(login(client, "admin", PASSWORD, STRANGER))


@pytest.mark.django_db
def test_unlocking_a_user_who_was_not_locked_says_so(admin, operator):
    assert lockout_unlock(actor=operator, username="admin") == 0

    unlock = AuditEvent.objects.get(action=AuditAction.UNLOCKED)
    assert (unlock.old_state, unlock.new_state) == ("unlocked", "unlocked")


@pytest.mark.django_db
def test_an_unlock_needs_a_username(operator):
    with pytest.raises(ValueError, match="needs a username"):
        lockout_unlock(actor=operator, username="")


@pytest.mark.django_db
def test_the_locked_members_of_a_list_come_in_one_query(
    client, admin, operator, django_assert_num_queries
):
    fail_five_times(client, username="admin")
    for _ in range(4):
        login(client, "unitadmin", "wrong-password", STRANGER)

    with django_assert_num_queries(1):
        locked = locked_out_usernames(["admin", "unitadmin", "nobody"])

    assert locked == {"admin"}
