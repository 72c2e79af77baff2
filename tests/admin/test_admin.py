"""Django's admin: the operator's alone, and every change they make reaches the audit log."""

import pytest
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, RiskLevel, RiskMatrixCell, Unit
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def admin_changes():
    return AuditEvent.objects.filter(action=AuditAction.ADMIN_CHANGE)


def test_changing_the_risk_matrix_is_audited_with_before_and_after(client, admin_user, risk_scheme):
    cell = RiskMatrixCell.objects.select_related("level").get(likelihood=1, impact=1)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:assessments_riskmatrixcell_change", args=[cell.pk]),
        {"level": risk_scheme["high"].pk},
    )

    assert response.status_code == 302
    event = admin_changes().get()
    assert event.username == admin_user.username
    assert event.object_type == "assessments.riskmatrixcell"
    assert f"'level': '{cell.level}'" in event.detail
    assert f"'level': '{risk_scheme['high']}'" in event.detail


def test_rewording_a_risk_level_is_audited(client, admin_user, risk_scheme):
    level = RiskLevel.objects.get(code="low")
    client.force_login(admin_user)

    client.post(
        reverse("admin:assessments_risklevel_change", args=[level.pk]),
        {
            "name": "低",
            "rank": level.rank,
            "definition": "新的定义",
            "recommendation": level.recommendation,
            "recommendation_note": level.recommendation_note,
        },
    )

    assert "新的定义" in admin_changes().get().detail


def test_making_someone_superuser_in_the_admin_is_audited(client, admin_user):
    target = make_user("frank")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:auth_user_change", args=[target.pk]),
        {
            "username": "frank",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-11-01",
            "date_joined_1": "08:00:00",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    target.refresh_from_db()
    assert target.is_superuser
    event = admin_changes().get()
    assert "'is_superuser': 'False'" in event.detail and "'is_superuser': 'True'" in event.detail


def test_adding_and_deleting_a_unit_is_audited(client, admin_user):
    client.force_login(admin_user)

    client.post(
        reverse("admin:assessments_unit_add"),
        {
            "name": "博山区大数据局",
            "code": "bs",
            "parent": "",
            "report_prefix": "博大数稳评",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    unit = Unit.objects.get(code="bs")
    client.post(reverse("admin:assessments_unit_delete", args=[unit.pk]), {"post": "yes"})

    assert not Unit.objects.filter(code="bs").exists()
    assert list(admin_changes().order_by("id").values_list("old_state", flat=True)) == [
        "add",
        "delete",
    ]


def test_an_anonymous_visitor_is_sent_to_the_one_login_page(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    login = client.get(response.url)
    assert login.status_code == 302
    assert login.url.startswith(reverse("login"))
