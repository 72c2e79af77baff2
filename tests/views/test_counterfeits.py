"""Issue 19 over HTTP, as a unit administrator would try it: look-alike report prefixes and
usernames, roles granted to oneself, people captured by a foreign unit. Each refusal is a
Chinese message beside the field, the input is kept, nothing changes, an audit row is left."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, Membership, Profile, Role, Unit
from assessments.services import accounts, memberships
from tests.factories import make_unit, make_user

pytestmark = pytest.mark.django_db

INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad"]


def refusals(action=AuditAction.REFUSED) -> int:
    return AuditEvent.objects.filter(action=action, success=False).count()


@pytest.fixture
def bureau_a(db):
    return make_unit("甲区大数据局", prefix="甲大数稳评")


@pytest.fixture
def district(db):
    return make_unit("某市委政法委", prefix="")


@pytest.fixture
def bureau_b(district):
    return make_unit("乙区大数据局", parent=district, prefix="乙大数稳评")


@pytest.fixture
def admin_b(bureau_b):
    return make_user("ursula", roles=[Role.UNIT_ADMIN], units=[bureau_b])


# --- 1. report-number prefixes ------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix",
    [f"甲大数稳评{ch}" for ch in INVISIBLE]
    + [f"{INVISIBLE[0]}甲大数稳评", f"甲{INVISIBLE[1]}大数稳评"],
)
def test_a_prefix_with_a_hidden_character_is_refused_beside_the_field(
    client, bureau_a, bureau_b, admin_b, prefix
):
    client.force_login(admin_b)
    before = refusals()

    response = client.post(reverse("units:settings", args=[bureau_b.pk]), {"report_prefix": prefix})

    assert response.status_code == 200
    errors = response.context["form"].errors["report_prefix"]
    assert any("看不见的字符" in error for error in errors), errors
    assert f'value="{prefix}"' in response.text  # the input is kept
    assert Unit.objects.get(pk=bureau_b.pk).report_prefix == "乙大数稳评"
    assert refusals() == before + 1


@pytest.mark.parametrize("prefix", [" 甲大数稳评 ", "甲大数稳评\u3000", "ＡＢ稳评"])
def test_a_prefix_that_only_differs_in_width_or_spaces_is_another_units(
    client, bureau_a, bureau_b, admin_b, prefix
):
    Unit.objects.filter(pk=bureau_a.pk).update(
        report_prefix="甲大数稳评" if "甲" in prefix else "AB稳评"
    )
    client.force_login(admin_b)
    before = refusals()

    response = client.post(reverse("units:settings", args=[bureau_b.pk]), {"report_prefix": prefix})

    assert response.status_code == 200
    assert response.context["form"].errors["report_prefix"] == [
        "其他单位已在使用此前缀，请另设本单位自己的前缀。"
    ]
    assert refusals() == before + 1
    assert Unit.objects.get(pk=bureau_b.pk).report_prefix == "乙大数稳评"


def test_a_prefix_is_stored_in_its_one_form(client, bureau_b, admin_b):
    client.force_login(admin_b)

    client.post(reverse("units:settings", args=[bureau_b.pk]), {"report_prefix": " ＺＢ稳评 "})

    assert Unit.objects.get(pk=bureau_b.pk).report_prefix == "ZB稳评"


SET_COLUMN = {
    "name": "UPDATE assessments_unit SET name = %s WHERE id = %s",
    "report_prefix": "UPDATE assessments_unit SET report_prefix = %s WHERE id = %s",
}


@pytest.mark.parametrize("field", ["report_prefix", "name"])
def test_the_database_refuses_hidden_characters_in_unit_names_and_prefixes(bureau_a, field):
    """Raw SQL, past the model (whose field stores only the normalised form anyway)."""
    for bad in [f"甲区{ch}" for ch in INVISIBLE] + [" 甲区", "甲区 "]:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(SET_COLUMN[field], [bad, bureau_a.pk])


def test_even_an_update_past_the_services_stores_the_normalised_form(bureau_a):
    Unit.objects.filter(pk=bureau_a.pk).update(report_prefix=" ＺＢ稳评 ")

    assert Unit.objects.get(pk=bureau_a.pk).report_prefix == "ZB稳评"


def test_a_unit_name_is_normalised_and_compared_in_that_form(bureau_a):
    twin = Unit(name="甲区大数据局\u3000", code="twin")

    with pytest.raises(ValidationError) as raised:
        twin.full_clean()

    assert "name" in raised.value.message_dict
    assert twin.name == "甲区大数据局"


# --- 2. usernames ---------------------------------------------------------------------------


LOOK_ALIKES = ["Assessor", "ASSESSOR", "\u0430ssessor", "ａｓｓｅｓｓｏｒ", "assess0r", " assessor"]


@pytest.mark.parametrize("username", LOOK_ALIKES)
def test_a_username_that_looks_like_anothers_is_refused_beside_the_field(
    client, bureau_a, bureau_b, admin_b, username
):
    make_user("assessor", roles=[Role.ASSESSOR], units=[bureau_a])
    client.force_login(admin_b)
    before, users = refusals(), get_user_model().objects.count()

    response = client.post(
        reverse("units:user_new", args=[bureau_b.pk]),
        {"username": username, "last_name": "王", "first_name": "五", "roles": [Role.ASSESSOR]},
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["username"])
    assert "看起来相同" in errors or "一种文字" in errors, errors
    assert get_user_model().objects.count() == users
    assert refusals() == before + 1


def test_a_username_mixing_scripts_is_refused_even_when_nobody_looks_like_it(
    client, bureau_b, admin_b
):
    client.force_login(admin_b)

    response = client.post(
        reverse("units:user_new", args=[bureau_b.pk]),
        {"username": "p\u0430ul", "last_name": "王", "first_name": "五", "roles": [Role.ASSESSOR]},
    )

    errors = response.context["form"].errors["username"]
    assert "西里尔字母" in errors[0] and "拉丁字母" in errors[0]


def test_a_new_account_belongs_to_the_unit_that_made_it(client, bureau_b, admin_b):
    client.force_login(admin_b)

    response = client.post(
        reverse("units:user_new", args=[bureau_b.pk]),
        {"username": "wangwu", "last_name": "王", "first_name": "五", "roles": [Role.ASSESSOR]},
    )

    assert response.status_code == 200
    profile = Profile.objects.get(user__username="wangwu")
    assert (profile.home_unit, profile.username_key, profile.must_change_password) == (
        bureau_b,
        "wangwu",
        True,
    )


def test_the_database_refuses_a_username_that_differs_only_in_case(bureau_a):
    get_user_model().objects.create_user("assessor")

    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create_user("Assessor")


def test_the_operators_admin_refuses_look_alikes_too(client, bureau_a):
    make_user("assessor", roles=[Role.ASSESSOR], units=[bureau_a])
    operator = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(operator)
    data = {
        "username": "\u0430ssessor",
        "password1": "",
        "password2": "",
        "usable_password": "false",
    }

    response = client.post(reverse("admin:auth_user_add"), data)

    assert response.status_code == 200
    assert "一种文字" in str(response.context["adminform"].form.errors["username"])
    assert not get_user_model().objects.filter(username="\u0430ssessor").exists()


def test_the_same_check_lets_a_person_keep_their_own_name_on_rename(bureau_a):
    user = make_user("assessor", roles=[Role.ASSESSOR], units=[bureau_a])

    assert accounts.username_check("assessor", exclude=user) == "assessor"


# --- 3. roles granted to oneself -----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ASSESSOR])
def test_a_unit_admin_cannot_grant_themselves_a_role(client, district, bureau_b, admin_b, role):
    client.force_login(admin_b)
    before = refusals(AuditAction.SELF_GRANT_REFUSED)

    response = client.post(
        reverse("units:grant", args=[bureau_b.pk]), {"username": admin_b.username, "role": role}
    )

    assert response.status_code == 200
    errors = response.context["grant_form"].errors["username"]
    assert errors == [
        "不能为本人授予角色。请由本单位（或上级单位）的另一位管理员授予：一个人不能独自决定自己可以批准什么。"
    ]
    assert not Membership.objects.filter(user=admin_b, role=role).exists()
    assert refusals(AuditAction.SELF_GRANT_REFUSED) == before + 1
    row = AuditEvent.objects.filter(action=AuditAction.SELF_GRANT_REFUSED).latest("id")
    assert (row.object_type, row.object_id, row.username) == (
        "assessments.unit",
        str(bureau_b.pk),
        "ursula",
    )


def test_the_unit_above_sees_the_attempt_and_another_admin_may_grant_it(
    client, district, bureau_b, admin_b
):
    client.force_login(admin_b)
    client.post(
        reverse("units:grant", args=[bureau_b.pk]),
        {"username": admin_b.username, "role": Role.REVIEWER},
    )
    district_admin = make_user("dora", roles=[Role.UNIT_ADMIN], units=[district])
    second = make_user("sam", roles=[Role.UNIT_ADMIN], units=[bureau_b])

    client.force_login(district_admin)
    page = client.get(reverse("units:detail", args=[district.pk]))

    attempts = page.context["self_grants"]
    assert [(a.username, a.object_repr, a.new_state) for a in attempts] == [
        ("ursula", "乙区大数据局", "reviewer")
    ]
    assert "为本人授予角色的尝试" in page.text and "<td>审核人员</td>" in page.text

    client.force_login(second)
    client.post(
        reverse("units:grant", args=[bureau_b.pk]),
        {"username": admin_b.username, "role": Role.REVIEWER},
    )
    assert Membership.objects.filter(user=admin_b, unit=bureau_b, role=Role.REVIEWER).exists()


def test_a_sibling_unit_does_not_see_the_attempt(client, district, bureau_b, admin_b):
    sibling = make_unit("丙区大数据局", parent=district)
    sibling_admin = make_user("sibyl", roles=[Role.UNIT_ADMIN], units=[sibling])
    with pytest.raises(memberships.SelfGrantRefused):  # the service refuses on its own too
        memberships.role_grant(actor=admin_b, unit=bureau_b, user=admin_b, role=Role.REVIEWER)
    client.force_login(admin_b)
    client.post(
        reverse("units:grant", args=[bureau_b.pk]),
        {"username": admin_b.username, "role": Role.REVIEWER},
    )
    client.force_login(sibling_admin)

    page = client.get(reverse("units:detail", args=[sibling.pk]))

    assert page.context["self_grants"] == []


# --- 4. people captured by a foreign unit ---------------------------------------------------


@pytest.fixture
def captured(bureau_a, bureau_b, admin_b):
    """A person of bureau A, given a role in bureau B by B's administrator."""
    person = make_user("alice", roles=[Role.ASSESSOR], units=[bureau_a])
    memberships.role_grant(actor=admin_b, unit=bureau_b, user=person, role=Role.REVIEWER)
    return person


@pytest.mark.parametrize("action", ["deactivate", "reset_password", "unlock"])
def test_a_foreign_admin_cannot_act_on_a_person_they_gave_a_role(
    client, bureau_b, admin_b, captured, action
):
    client.force_login(admin_b)
    before = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    password = captured.password

    response = client.post(reverse(f"units:{action}", args=[bureau_b.pk, captured.pk]))

    assert response.status_code == 403
    captured.refresh_from_db()
    assert captured.is_active and captured.password == password
    assert AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == before + 1


def test_the_home_unit_keeps_its_powers_over_a_captured_person(client, bureau_a, captured):
    home_admin = make_user("harry", roles=[Role.UNIT_ADMIN], units=[bureau_a])
    client.force_login(home_admin)

    page = client.get(reverse("units:detail", args=[bureau_a.pk]))
    response = client.post(reverse("units:deactivate", args=[bureau_a.pk, captured.pk]))

    assert next(m for m in page.context["members"] if m.user == captured).can_manage
    assert response.status_code == 302
    captured.refresh_from_db()
    assert not captured.is_active
    assert Profile.objects.get(user=captured).home_unit == bureau_a


def test_the_unit_above_manages_the_accounts_of_the_units_below(district, bureau_b):
    person = make_user("bert", roles=[Role.ASSESSOR], units=[bureau_b])
    district_admin = make_user("dora", roles=[Role.UNIT_ADMIN], units=[district])

    memberships.user_deactivate(actor=district_admin, user=person)

    person.refresh_from_db()
    assert not person.is_active


def test_createsuperuser_refuses_a_mixed_script_username():
    with pytest.raises(CommandError, match="一种文字"):
        call_command("createsuperuser", interactive=False, username="p\u0430ul", email="")

    assert not get_user_model().objects.filter(username="p\u0430ul").exists()


def test_the_attempts_list_runs_a_fixed_number_of_queries(
    client, district, bureau_b, admin_b, django_assert_num_queries
):
    """One attempt, then thirty from several units below: the parent's page asks the same
    queries, and shows the latest twenty."""
    district_admin = make_user("dora", roles=[Role.UNIT_ADMIN], units=[district])
    url = reverse("units:detail", args=[district.pk])
    grant = reverse("units:grant", args=[bureau_b.pk])
    client.force_login(admin_b)
    client.post(grant, {"username": admin_b.username, "role": Role.REVIEWER})
    client.force_login(district_admin)
    client.get(url)  # the session's first request reads a little more
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    expected = len(one)  # read now: every request clears Django's query log
    for n in range(5):
        unit = make_unit(f"下级单位{n}", parent=district)
        admin = make_user(f"admin{n}", roles=[Role.UNIT_ADMIN], units=[unit])
        client.force_login(admin)
        for role in (Role.ASSESSOR, Role.REVIEWER, Role.CLERK, Role.OVERSIGHT, Role.ASSESSOR):
            client.post(
                reverse("units:grant", args=[unit.pk]), {"username": admin.username, "role": role}
            )
    client.force_login(district_admin)

    with django_assert_num_queries(expected):
        page = client.get(url)

    assert len(page.context["self_grants"]) == 20
