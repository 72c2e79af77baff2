"""Unit administration in the product: services, views, refusals and their audit rows."""

from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from assessments.models import (
    AuditAction,
    AuditEvent,
    Membership,
    Profile,
    Role,
    Seal,
    SignedReport,
    Version,
)
from assessments.reports.seals import SealImage
from assessments.services import memberships
from tests.factories import PASSWORD, make_assessment, make_unit, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()


def png(size=(40, 40)) -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


def last_audit(action: AuditAction) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("id")


def roles_of(user, unit) -> set[str]:
    return set(Membership.objects.filter(user=user, unit=unit).values_list("role", flat=True))


def issue_number(unit, author, number: str) -> SignedReport:
    """A signed-report row carrying `number`, as if the unit had issued it (no file needed
    for what is tested here: the number's prefix)."""
    assessment = make_assessment(unit=unit, author=author)
    version = Version.objects.create(assessment=assessment, number=1, content={}, created_by=author)
    return SignedReport.objects.create(
        assessment=assessment,
        version=version,
        report_number=number,
        approved_by=author,
        sha256=number.encode().hex()[:64].ljust(64, "0"),
        signed_at=timezone.now(),
        signer="测试",
        certificate_fingerprint="00",
        verification_token=f"token-{number}",
    )


# --- services: accounts ----------------------------------------------------------------


def test_user_create_makes_an_account_with_its_roles_and_a_temporary_password(unit, unit_admin):
    user, password = memberships.user_create(
        actor=unit_admin,
        unit=unit,
        username="zhangsan",
        first_name="三",
        last_name="张",
        roles=[Role.ASSESSOR, Role.CLERK],
    )

    user.refresh_from_db()
    assert user.check_password(password)
    assert password not in user.password
    assert not user.is_staff and not user.is_superuser and user.is_active
    assert Profile.objects.get(user=user).must_change_password
    assert roles_of(user, unit) == {Role.ASSESSOR, Role.CLERK}
    created = last_audit(AuditAction.USER_CREATED)
    assert (created.user, created.object_id, created.new_state) == (
        unit_admin,
        str(user.pk),
        "active",
    )
    assert password not in created.detail
    granted = AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED, username="ursula")
    assert sorted(granted.values_list("new_state", flat=True)) == ["assessor", "clerk"]
    assert all("zhangsan" in e.detail and unit.name in e.detail for e in granted)


def test_temporary_passwords_pass_the_password_policy_and_differ(unit_admin):
    from django.contrib.auth.password_validation import validate_password

    passwords = {memberships.temporary_password(unit_admin) for _ in range(20)}

    assert len(passwords) == 20
    for password in passwords:
        validate_password(password, unit_admin)


def test_user_create_needs_a_role(unit, unit_admin):
    with pytest.raises(memberships.Refused):
        memberships.user_create(
            actor=unit_admin, unit=unit, username="nobody", first_name="a", last_name="b", roles=[]
        )

    assert not User.objects.filter(username="nobody").exists()


def test_user_create_in_a_unit_not_administered_is_refused(other_unit, unit_admin):
    with pytest.raises(PermissionDenied):
        memberships.user_create(
            actor=unit_admin,
            unit=other_unit,
            username="spy",
            first_name="a",
            last_name="b",
            roles=[Role.ASSESSOR],
        )

    assert not User.objects.filter(username="spy").exists()


def test_deactivate_and_reactivate_write_before_and_after(unit_admin, assessor):
    memberships.user_deactivate(actor=unit_admin, user=assessor)

    assessor.refresh_from_db()
    assert not assessor.is_active
    row = last_audit(AuditAction.USER_DEACTIVATED)
    assert (row.old_state, row.new_state, row.object_id) == ("active", "inactive", str(assessor.pk))

    with pytest.raises(memberships.Refused):
        memberships.user_deactivate(actor=unit_admin, user=assessor)

    memberships.user_reactivate(actor=unit_admin, user=assessor)

    assessor.refresh_from_db()
    assert assessor.is_active
    row = last_audit(AuditAction.USER_REACTIVATED)
    assert (row.old_state, row.new_state) == ("inactive", "active")
    with pytest.raises(memberships.Refused):
        memberships.user_reactivate(actor=unit_admin, user=assessor)


def test_a_unit_admin_cannot_deactivate_themselves_or_the_operator(unit_admin, admin_user, unit):
    Membership.objects.create(user=admin_user, unit=unit, role=Role.REVIEWER)

    for target in (unit_admin, admin_user):
        with pytest.raises(PermissionDenied):
            memberships.user_deactivate(actor=unit_admin, user=target)
        target.refresh_from_db()
        assert target.is_active


def test_a_person_who_also_works_in_another_unit_is_managed_by_their_home_unit_alone(
    unit, other_unit, unit_admin
):
    """Issue 19 changed this rule: it used to take the administrators of every unit the
    person worked in, so a foreign unit could capture a person by granting them a role."""
    both = make_user("frank", memberships={other_unit: [Role.ASSESSOR], unit: [Role.ASSESSOR]})
    home_admin = make_user("olga", roles=[Role.UNIT_ADMIN], units=[other_unit])

    with pytest.raises(PermissionDenied):
        memberships.password_reset(actor=unit_admin, user=both)
    memberships.password_reset(actor=home_admin, user=both)


def test_password_reset_sets_a_temporary_password_the_person_must_change(unit_admin, assessor):
    password = memberships.password_reset(actor=unit_admin, user=assessor)

    assessor.refresh_from_db()
    assert assessor.check_password(password)
    assert not assessor.check_password(PASSWORD)
    assert Profile.objects.get(user=assessor).must_change_password
    row = last_audit(AuditAction.PASSWORD_RESET)
    assert (row.old_state, row.new_state) == ("own password", "temporary password")
    assert password not in row.detail


def test_password_change_clears_the_flag_and_is_audited(unit_admin, assessor):
    memberships.password_reset(actor=unit_admin, user=assessor)

    memberships.password_change(user=assessor, new_password="Neu-Passwort-77")

    assert not Profile.objects.get(user=assessor).must_change_password
    row = last_audit(AuditAction.PASSWORD_CHANGED)
    assert (row.user, row.old_state, row.new_state) == (
        assessor,
        "temporary password",
        "own password",
    )


# --- services: roles ---------------------------------------------------------------------


def test_role_grant_invites_an_account_of_another_unit(unit, unit_admin, outsider):
    memberships.role_grant(actor=unit_admin, unit=unit, user=outsider, role=Role.REVIEWER)

    assert roles_of(outsider, unit) == {Role.REVIEWER}
    row = last_audit(AuditAction.ROLE_GRANTED)
    assert (row.old_state, row.new_state) == ("", "reviewer")
    assert "eve" in row.detail and unit.name in row.detail and "reviewer" in row.detail


def test_role_grant_resets_the_cached_access_of_the_same_object(unit, unit_admin, outsider):
    from assessments import permissions

    assert not permissions.has_role(outsider, unit.pk, Role.REVIEWER)  # caches the access

    memberships.role_grant(actor=unit_admin, unit=unit, user=outsider, role=Role.REVIEWER)

    assert permissions.has_role(outsider, unit.pk, Role.REVIEWER)


def test_role_grant_refuses_a_superuser_a_held_role_and_another_unit(
    unit, other_unit, unit_admin, admin_user, assessor
):
    with pytest.raises(memberships.Refused):
        memberships.role_grant(actor=unit_admin, unit=unit, user=admin_user, role=Role.ASSESSOR)
    with pytest.raises(memberships.Refused):
        memberships.role_grant(actor=unit_admin, unit=unit, user=assessor, role=Role.ASSESSOR)
    with pytest.raises(PermissionDenied):
        memberships.role_grant(
            actor=unit_admin, unit=other_unit, user=unit_admin, role=Role.UNIT_ADMIN
        )

    assert not Membership.objects.filter(user=admin_user).exists()
    assert roles_of(unit_admin, other_unit) == set()
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED).exists()


def test_a_grant_that_loses_a_race_is_refused_not_an_error(unit, unit_admin, outsider):
    """Two clicks at once: the second insert meets the unique constraint."""
    from django.db.models.signals import pre_save

    def twin(sender, instance, **kwargs):
        Membership.objects.bulk_create([Membership(user=outsider, unit=unit, role="reviewer")])

    pre_save.connect(twin, sender=Membership)
    try:
        with pytest.raises(memberships.Refused):
            memberships.role_grant(actor=unit_admin, unit=unit, user=outsider, role="reviewer")
    finally:
        pre_save.disconnect(twin, sender=Membership)

    # (The twin row went with the refused transaction here; a real one was the other
    # request's, committed on its own.)
    assert not AuditEvent.objects.filter(action=AuditAction.ROLE_GRANTED).exists()


def test_a_username_taken_at_the_same_moment_is_a_field_error(unit, unit_admin):
    from django.db.models.signals import pre_save

    def twin(sender, instance, **kwargs):
        if instance.pk is None:
            User.objects.bulk_create([User(username=instance.username, password="!")])

    pre_save.connect(twin, sender=User)
    try:
        with pytest.raises(ValidationError) as error:
            memberships.user_create(
                actor=unit_admin,
                unit=unit,
                username="twin",
                first_name="a",
                last_name="b",
                roles=[Role.CLERK],
            )
    finally:
        pre_save.disconnect(twin, sender=User)

    assert list(error.value.message_dict) == ["username"]


def test_role_withdraw_removes_one_role_and_is_audited(unit, unit_admin, assessor):
    membership = Membership.objects.get(user=assessor, unit=unit, role=Role.ASSESSOR)

    memberships.role_withdraw(actor=unit_admin, membership=membership)

    assert roles_of(assessor, unit) == set()
    row = last_audit(AuditAction.ROLE_WITHDRAWN)
    assert (row.old_state, row.new_state) == ("assessor", "")
    assert "alice" in row.detail and unit.name in row.detail


def test_the_last_unit_administrator_cannot_be_withdrawn(unit, unit_admin):
    own = Membership.objects.get(user=unit_admin, unit=unit, role=Role.UNIT_ADMIN)
    make_user("ulrich", roles=[Role.UNIT_ADMIN], units=[unit], is_active=False)

    with pytest.raises(memberships.Refused) as refused:
        memberships.role_withdraw(actor=unit_admin, membership=own)

    assert refused.value.reason == "last unit administrator"
    assert roles_of(unit_admin, unit) == {Role.UNIT_ADMIN}


def test_an_administrator_may_step_down_when_another_remains(unit, unit_admin):
    make_user("ulrich", roles=[Role.UNIT_ADMIN], units=[unit])
    own = Membership.objects.get(user=unit_admin, unit=unit, role=Role.UNIT_ADMIN)

    memberships.role_withdraw(actor=unit_admin, membership=own)

    assert roles_of(unit_admin, unit) == set()


def test_a_superusers_role_cannot_be_withdrawn_by_a_unit_admin(unit, unit_admin, admin_user):
    membership = Membership.objects.create(user=admin_user, unit=unit, role=Role.REVIEWER)

    with pytest.raises(memberships.Refused):
        memberships.role_withdraw(actor=unit_admin, membership=membership)

    assert Membership.objects.filter(pk=membership.pk).exists()


# --- services: the unit's settings -------------------------------------------------------


def test_unit_update_changes_the_prefix_and_records_before_and_after(unit, unit_admin):
    before = unit.report_prefix

    assert memberships.unit_update(actor=unit_admin, unit=unit, report_prefix="周大数稳评")

    unit.refresh_from_db()
    assert unit.report_prefix == "周大数稳评"
    row = last_audit(AuditAction.UNIT_CHANGED)
    assert (row.old_state, row.new_state) == (before, "周大数稳评")
    assert "seal" not in row.detail


def test_unit_update_with_nothing_new_records_nothing(unit, unit_admin):
    assert not memberships.unit_update(
        actor=unit_admin, unit=unit, report_prefix=unit.report_prefix
    )

    assert not AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).exists()


def test_unit_update_replaces_the_seal_and_says_so(unit, unit_admin):
    first = SealImage(data=png(), content_type="image/png")
    memberships.unit_update(
        actor=unit_admin, unit=unit, report_prefix=unit.report_prefix, seal=first
    )
    second = SealImage(data=png((60, 60)), content_type="image/png")

    memberships.unit_update(
        actor=unit_admin, unit=unit, report_prefix=unit.report_prefix, seal=second
    )

    assert bytes(Seal.objects.get(unit=unit).image) == second.data
    rows = AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).order_by("id")
    assert "none → image/png" in rows[0].detail
    assert "seal image replaced: image/png of" in rows[1].detail


def test_a_prefix_another_unit_uses_is_refused(unit, other_unit, unit_admin):
    with pytest.raises(ValidationError) as error:
        memberships.unit_update(actor=unit_admin, unit=unit, report_prefix=other_unit.report_prefix)

    assert error.value.message_dict == {"report_prefix": [str(memberships.PREFIX_TAKEN)]}


def test_a_prefix_in_another_units_issued_numbers_is_refused(
    unit, other_unit, unit_admin, outsider, risk_scheme
):
    issue_number(other_unit, outsider, "张稳评〔2025〕4号")
    other_unit.report_prefix = "张店新稳评"
    other_unit.save()

    with pytest.raises(ValidationError) as error:
        memberships.unit_update(actor=unit_admin, unit=unit, report_prefix="张稳评")

    assert error.value.message_dict == {"report_prefix": [str(memberships.PREFIX_ISSUED)]}


def test_a_unit_may_return_to_a_prefix_it_issued_with_itself(
    unit, unit_admin, assessor, risk_scheme
):
    issue_number(unit, assessor, "周稳评〔2025〕1号")

    assert memberships.unit_update(actor=unit_admin, unit=unit, report_prefix="周稳评")


def test_a_prefix_with_brackets_is_refused(unit, unit_admin):
    with pytest.raises(ValidationError) as error:
        memberships.unit_update(actor=unit_admin, unit=unit, report_prefix="周〔稳评")

    assert "report_prefix" in error.value.message_dict


def test_another_units_settings_are_refused(other_unit, unit_admin):
    with pytest.raises(PermissionDenied):
        memberships.unit_update(actor=unit_admin, unit=other_unit, report_prefix="抢来的")


# --- views -------------------------------------------------------------------------------


def url(name: str, unit, **kwargs) -> str:
    return reverse(f"units:{name}", kwargs={"unit_id": unit.pk, **kwargs})


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_list_goes_straight_to_the_only_unit(client, unit, unit_admin):
    client.force_login(unit_admin)

    response = client.get(reverse("units:list"))

    assert response.status_code == 302
    assert response.url == url("detail", unit)


def test_the_list_shows_every_unit_administered(client, unit, other_unit):
    both = make_user("uma", roles=[Role.UNIT_ADMIN], units=[unit, other_unit])
    make_unit("无关单位")
    client.force_login(both)

    response = client.get(reverse("units:list"))

    assert response.status_code == 200
    assert {u.pk for u in response.context["units"]} == {unit.pk, other_unit.pk}
    assert "无关单位" not in response.text


def test_someone_who_administers_no_unit_is_refused_and_audited(client, assessor, unit):
    client.force_login(assessor)

    assert client.get(reverse("units:list")).status_code == 403
    assert client.get(url("detail", unit)).status_code == 404
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.PERMISSION_DENIED, username="alice", success=False
        ).count()
        == 2
    )


def test_the_unit_page_lists_members_with_their_roles_and_state(client, unit, unit_admin, assessor):
    both = make_user("bea", roles=[Role.REVIEWER, Role.CLERK], units=[unit], is_active=False)
    client.force_login(unit_admin)

    response = client.get(url("detail", unit))

    assert response.status_code == 200
    members = {m.user.username: m for m in response.context["members"]}
    assert set(members) == {"ursula", "alice", "bea"}
    assert [m.role for m in members["bea"].memberships] == [Role.CLERK, Role.REVIEWER]
    assert members["alice"].can_manage and members["bea"].can_manage
    assert not members["ursula"].can_manage  # oneself
    assert url("reactivate", unit, user_id=both.pk) in response.text
    assert url("deactivate", unit, user_id=assessor.pk) in response.text
    assert url("deactivate", unit, user_id=unit_admin.pk) not in response.text


def test_the_member_list_runs_a_fixed_number_of_queries(
    client, unit, unit_admin, assessor, django_assert_num_queries
):
    """One member besides the administrator, then ten: the same queries."""
    client.force_login(unit_admin)
    client.get(url("detail", unit))  # the session's first request reads a little more
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url("detail", unit)).context["members"]) == 2
    for n in range(9):
        make_user(f"member{n}", roles=[Role.ASSESSOR, Role.CLERK], units=[unit])

    with django_assert_num_queries(len(one)):
        response = client.get(url("detail", unit))

    assert len(response.context["members"]) == 11


def test_another_units_page_is_a_404_and_audited(client, other_unit, unit_admin):
    client.force_login(unit_admin)

    for name in ("detail", "settings", "user_new"):
        assert client.get(url(name, other_unit)).status_code == 404

    rows = AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, username="ursula")
    assert rows.count() == 3
    assert {r.object_id for r in rows} == {str(other_unit.pk)}


def test_actions_are_post_only(client, unit, unit_admin, assessor):
    client.force_login(unit_admin)
    membership = Membership.objects.get(user=assessor)

    for response in (
        client.get(url("grant", unit)),
        client.get(url("withdraw", unit, membership_id=membership.pk)),
        client.get(url("deactivate", unit, user_id=assessor.pk)),
        client.get(url("reset_password", unit, user_id=assessor.pk)),
    ):
        assert response.status_code == 405
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_creating_a_user_shows_the_temporary_password_once(client, unit, unit_admin):
    client.force_login(unit_admin)

    response = client.post(
        url("user_new", unit),
        {"username": "lisi", "last_name": "李", "first_name": "四", "roles": ["assessor"]},
    )

    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.text
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(username="lisi")
    assert user.check_password(password)
    assert roles_of(user, unit) == {Role.ASSESSOR}
    assert password not in str(dict(client.session))
    assert all(password not in m for m in messages_of(response))
    # The next page does not show it again.
    assert password not in client.get(url("detail", unit)).text


def test_a_new_user_form_keeps_input_and_shows_errors_beside_fields(client, unit, unit_admin):
    client.force_login(unit_admin)

    response = client.post(
        url("user_new", unit), {"username": "ursula", "last_name": "李", "first_name": ""}
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"username", "first_name", "roles"}
    assert 'value="李"' in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.USER_CREATED).exists()


def test_the_new_user_form_offers_no_staff_or_superuser_field(client, unit, unit_admin):
    client.force_login(unit_admin)

    client.post(
        url("user_new", unit),
        {
            "username": "sneaky",
            "last_name": "李",
            "first_name": "四",
            "roles": ["clerk"],
            "is_superuser": "on",
            "is_staff": "on",
        },
    )

    sneaky = User.objects.get(username="sneaky")
    assert not sneaky.is_superuser and not sneaky.is_staff


def test_granting_by_username(client, unit, unit_admin, outsider):
    client.force_login(unit_admin)

    response = client.post(url("grant", unit), {"username": "eve", "role": "reviewer"})

    assert response.status_code == 302
    assert roles_of(outsider, unit) == {Role.REVIEWER}


def test_granting_to_an_unknown_username_shows_the_error_beside_the_field(client, unit, unit_admin):
    client.force_login(unit_admin)

    response = client.post(url("grant", unit), {"username": "ghost", "role": "reviewer"})

    assert response.status_code == 200
    assert list(response.context["grant_form"].errors) == ["username"]
    assert 'value="ghost"' in response.text


def test_granting_to_the_operator_is_refused_and_audited(client, unit, unit_admin, admin_user):
    client.force_login(unit_admin)

    response = client.post(url("grant", unit), {"username": "dave", "role": "unit_admin"})

    assert response.status_code == 302
    assert not Membership.objects.filter(user=admin_user).exists()
    row = last_audit(AuditAction.REFUSED)
    assert (row.username, row.object_id, row.success) == ("ursula", str(admin_user.pk), False)
    assert "superuser" in row.detail


def test_granting_oneself_a_role_in_another_unit_is_a_404_and_audited(
    client, unit_admin, other_unit
):
    client.force_login(unit_admin)

    response = client.post(url("grant", other_unit), {"username": "ursula", "role": "unit_admin"})

    assert response.status_code == 404
    assert roles_of(unit_admin, other_unit) == set()
    assert last_audit(AuditAction.PERMISSION_DENIED).object_id == str(other_unit.pk)


def test_withdrawing_through_the_page(client, unit, unit_admin, assessor):
    client.force_login(unit_admin)
    membership = Membership.objects.get(user=assessor, unit=unit)

    response = client.post(url("withdraw", unit, membership_id=membership.pk))

    assert response.status_code == 302
    assert roles_of(assessor, unit) == set()


def test_withdrawing_another_units_membership_through_ones_own_unit_is_a_404(
    client, unit, unit_admin, outsider
):
    client.force_login(unit_admin)
    theirs = Membership.objects.filter(user=outsider).first()

    response = client.post(url("withdraw", unit, membership_id=theirs.pk))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_withdrawing_the_last_administrator_says_why(client, unit, unit_admin):
    client.force_login(unit_admin)
    own = Membership.objects.get(user=unit_admin, unit=unit)

    response = client.post(url("withdraw", unit, membership_id=own.pk))

    assert response.status_code == 302
    assert Membership.objects.filter(pk=own.pk).exists()
    assert messages_of(response) == [str(memberships.LAST_ADMIN)]
    assert last_audit(AuditAction.REFUSED).detail.endswith("last unit administrator")


def test_deactivating_through_the_page_and_again(client, unit, unit_admin, assessor):
    client.force_login(unit_admin)

    first = client.post(url("deactivate", unit, user_id=assessor.pk))
    second = client.post(url("deactivate", unit, user_id=assessor.pk))

    assert first.status_code == second.status_code == 302
    assessor.refresh_from_db()
    assert not assessor.is_active
    assert AuditEvent.objects.filter(action=AuditAction.USER_DEACTIVATED).count() == 1
    assert last_audit(AuditAction.REFUSED).detail.endswith("already inactive")


def test_deactivating_oneself_is_a_403_and_audited(client, unit, unit_admin):
    client.force_login(unit_admin)

    response = client.post(url("deactivate", unit, user_id=unit_admin.pk))

    assert response.status_code == 403
    unit_admin.refresh_from_db()
    assert unit_admin.is_active
    row = last_audit(AuditAction.PERMISSION_DENIED)
    assert (row.object_id, row.success) == (str(unit_admin.pk), False)


def test_resetting_the_operators_password_is_a_403(client, unit, unit_admin, admin_user):
    Membership.objects.create(user=admin_user, unit=unit, role=Role.REVIEWER)
    client.force_login(unit_admin)

    response = client.post(url("reset_password", unit, user_id=admin_user.pk))

    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


def test_acting_on_someone_outside_the_unit_is_a_404(client, unit, unit_admin, outsider):
    client.force_login(unit_admin)

    for name in ("deactivate", "reactivate", "reset_password", "unlock"):
        assert client.post(url(name, unit, user_id=outsider.pk)).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active and outsider.check_password(PASSWORD)


def test_resetting_a_password_shows_it_once_and_ends_their_sessions(
    client, unit, unit_admin, assessor
):
    from django.test import Client

    theirs = Client()
    theirs.force_login(assessor)
    assert theirs.get(reverse("assessments:home")).status_code == 200
    client.force_login(unit_admin)

    response = client.post(url("reset_password", unit, user_id=assessor.pk))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assessor.refresh_from_db()
    assert assessor.check_password(response.context["password"])
    ended = theirs.get(reverse("assessments:home"))
    assert ended.status_code == 302 and ended.url.startswith(reverse("login"))


def test_a_locked_out_member_is_shown_and_can_be_unlocked_early(client, unit, unit_admin, assessor):
    from tests.factories import PASSWORD

    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong-Pass-1"},
            REMOTE_ADDR="10.0.0.9",
        )
    refused = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert "_auth_user_id" not in client.session and refused.status_code != 302
    client.force_login(unit_admin)
    page = client.get(url("detail", unit))
    assert url("unlock", unit, user_id=assessor.pk) in page.text

    response = client.post(url("unlock", unit, user_id=assessor.pk))

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.UNLOCKED)
    assert (event.username, event.old_state, event.new_state) == ("ursula", "locked", "unlocked")
    client.logout()
    again = client.post(
        reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9"
    )
    assert again.status_code == 302


def test_settings_save_the_prefix_and_the_seal(client, unit, unit_admin):
    client.force_login(unit_admin)

    response = client.post(
        url("settings", unit),
        {"report_prefix": "周大数稳评", "seal": SimpleUploadedFile("seal.png", png())},
    )

    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.report_prefix == "周大数稳评"
    assert Seal.objects.get(unit=unit).content_type == "image/png"
    assert AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).count() == 1


@pytest.mark.parametrize(
    "case", ["taken", "issued", "brackets", "empty"], ids=lambda case: f"prefix-{case}"
)
def test_a_refused_prefix_is_explained_beside_the_field(
    client, unit, other_unit, unit_admin, outsider, risk_scheme, case
):
    issue_number(other_unit, outsider, "旧张稳评〔2025〕1号")
    prefix = {
        "taken": other_unit.report_prefix,
        "issued": "旧张稳评",
        "brackets": "周〔",
        "empty": "",
    }[case]
    before = unit.report_prefix
    client.force_login(unit_admin)

    response = client.post(url("settings", unit), {"report_prefix": prefix})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["report_prefix"]
    expected = {"taken": memberships.PREFIX_TAKEN, "issued": memberships.PREFIX_ISSUED}
    if case in expected:
        assert errors["report_prefix"] == [str(expected[case])]
    if prefix:
        assert f'value="{prefix}"' in response.text  # the input is kept
    unit.refresh_from_db()
    assert unit.report_prefix == before
    assert not AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).exists()


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("seal.png", b"not an image"),
        SimpleUploadedFile("seal.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
    ids=["garbage", "gif"],
)
def test_a_bad_seal_file_is_explained_beside_the_field(client, unit, unit_admin, upload):
    client.force_login(unit_admin)

    response = client.post(
        url("settings", unit), {"report_prefix": unit.report_prefix, "seal": upload}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["seal"]
    assert not Seal.objects.filter(unit=unit).exists()


def test_uploading_another_units_seal_is_a_404_and_audited(client, other_unit, unit_admin):
    client.force_login(unit_admin)

    response = client.post(
        url("settings", other_unit),
        {"report_prefix": "抢来的", "seal": SimpleUploadedFile("seal.png", png())},
    )

    assert response.status_code == 404
    assert not Seal.objects.filter(unit=other_unit).exists()
    assert last_audit(AuditAction.PERMISSION_DENIED).object_id == str(other_unit.pk)


def test_the_operator_administers_every_unit(client, unit, other_unit, admin_user, assessor):
    client.force_login(admin_user)

    assert client.get(url("detail", other_unit)).status_code == 200
    response = client.post(url("deactivate", unit, user_id=assessor.pk))

    assert response.status_code == 302
    assessor.refresh_from_db()
    assert not assessor.is_active


def test_the_navigation_shows_unit_administration_to_administrators_only(
    client, unit_admin, assessor
):
    client.force_login(unit_admin)
    assert reverse("units:list") in client.get(reverse("assessments:home")).text
    client.force_login(assessor)
    assert reverse("units:list") not in client.get(reverse("assessments:home")).text
