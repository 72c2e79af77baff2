"""Passwords: Argon2id at OWASP's parameters; older hashes are upgraded at the next login."""

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.urls import reverse

from assessments.models import Role
from tests.factories import make_user
from zhoucun_risk.settings import base

PASSWORD = "Staff-pass-2026"
OWASP = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture(autouse=True)
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_a_new_password_is_hashed_with_argon2id_at_owasp_parameters():
    encoded = make_password(PASSWORD)

    assert encoded.startswith(OWASP)
    assert check_password(PASSWORD, encoded)
    assert not check_password(PASSWORD + "x", encoded)


@pytest.mark.parametrize(
    "old_hasher",
    ["pbkdf2_sha256", "argon2"],
    ids=["pbkdf2, the former default", "argon2 with Django's own parameters"],
)
def test_an_older_hash_is_upgraded_at_the_next_login(client, unit, settings, old_hasher):
    if old_hasher == "argon2":
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user("olga", roles=[Role.ASSESSOR], units=[unit])
    user.password = make_password(PASSWORD, hasher=old_hasher)
    user.save(update_fields=["password"])
    assert not user.password.startswith(OWASP)
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS

    response = client.post(reverse("login"), {"username": "olga", "password": PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(OWASP)
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)


def test_a_wrong_password_changes_nothing(client, unit):
    user = make_user("olga", roles=[Role.ASSESSOR], units=[unit])
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    before = user.password

    client.post(reverse("login"), {"username": "olga", "password": "Wrong-pass-1"})

    user.refresh_from_db()
    assert user.password == before
