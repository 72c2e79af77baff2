"""A unit administrator chooses the unit's report outline per mode on the unit page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, Outline, UnitOutline
from tests.factories import make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def qingshi():
    return Outline.objects.get(code="qingshi-simple")


def test_the_page_shows_the_outline_followed_and_its_headings(client, unit_admin, unit):
    client.force_login(unit_admin)

    response = client.get(reverse("units:outlines", args=[unit.pk]))

    assert response.status_code == 200
    text = response.content.decode()
    assert "简易评估报告（周村区）" in text and "二、社会稳定风险评估开展情况" in text
    assert "（八）风险等级" in text  # the standard default, inherited


def test_choosing_an_outline_is_saved_and_audited(client, unit_admin, unit, qingshi):
    client.force_login(unit_admin)

    response = client.post(reverse("units:outlines", args=[unit.pk]), {"simple": qingshi.pk})

    assert response.status_code == 302
    assert UnitOutline.objects.get(unit=unit, mode="simple").outline == qingshi
    event = AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).latest("id")
    assert (event.old_state, event.new_state) == ("inherited", "qingshi-simple")
    assert event.user == unit_admin
    page = client.get(response.url).content.decode()
    assert "三、舆情风险研判" in page


def test_an_outline_of_the_other_mode_is_refused_beside_the_field(client, unit_admin, unit):
    client.force_login(unit_admin)
    national = Outline.objects.get(code="national-2013")

    response = client.post(reverse("units:outlines", args=[unit.pk]), {"simple": national.pk})

    assert response.status_code == 200
    assert "请从适用于该模式的提纲中选择。" in response.content.decode()
    assert not UnitOutline.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.UNIT_CHANGED).exists()
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_another_units_page_is_missing_and_changes_nothing(client, unit_admin, qingshi):
    other = make_unit()
    client.force_login(unit_admin)

    response = client.post(reverse("units:outlines", args=[other.pk]), {"simple": qingshi.pk})

    assert response.status_code == 404
    assert not UnitOutline.objects.exists()


def test_a_member_who_does_not_administer_the_unit_is_refused(client, assessor, unit, qingshi):
    client.force_login(assessor)

    response = client.post(reverse("units:outlines", args=[unit.pk]), {"simple": qingshi.pk})

    assert response.status_code == 404
    assert not UnitOutline.objects.exists()


def test_a_child_unit_is_offered_its_parents_choice_as_inherited(client, qingshi, unit_admin, unit):
    from assessments.models import Membership, Role

    child = make_unit(parent=unit)
    Membership.objects.create(user=unit_admin, unit=child, role=Role.UNIT_ADMIN)
    UnitOutline.objects.create(unit=unit, mode="simple", outline=qingshi)
    client.force_login(unit_admin)

    text = client.get(reverse("units:outlines", args=[child.pk])).content.decode()

    assert "沿用上级单位或默认：青石区简易评估报告提纲" in text
