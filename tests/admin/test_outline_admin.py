"""The operator writes report outlines in the admin: an outline that would drop or repeat a
part of the content is refused; the default of a mode is never deleted."""

import pytest
from django.urls import reverse

from assessments.models import AuditAction, AuditEvent, Outline

pytestmark = pytest.mark.django_db

SIMPLE_PARTS = [
    "basic",
    "finding:legality",
    "finding:rationality",
    "finding:feasibility",
    "finding:controllability",
    "risks",
    "conclusion",
]


def outline_post(bindings: list[str]) -> dict:
    data = {
        "code": "test-outline",
        "name": "测试提纲",
        "mode": "simple",
        "numbering": '["chinese"]',
        "headings-TOTAL_FORMS": str(len(bindings)),
        "headings-INITIAL_FORMS": "0",
        "headings-MIN_NUM_FORMS": "0",
        "headings-MAX_NUM_FORMS": "1000",
    }
    for n, binding in enumerate(bindings):
        data |= {
            f"headings-{n}-position": str(n + 1),
            f"headings-{n}-level": "1",
            f"headings-{n}-title": f"标题{n}",
            f"headings-{n}-numbered": "on",
            f"headings-{n}-binding": binding,
            f"headings-{n}-key": "",
        }
    return data


def test_an_outline_binding_every_part_once_is_saved_and_audited(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("admin:assessments_outline_add"), outline_post(SIMPLE_PARTS))

    assert response.status_code == 302
    assert Outline.objects.get(code="test-outline").headings.count() == len(SIMPLE_PARTS)
    assert AuditEvent.objects.filter(
        action=AuditAction.ADMIN_CHANGE, object_type="assessments.outlineheading"
    ).count() == len(SIMPLE_PARTS)


def test_an_outline_without_the_conclusion_is_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:assessments_outline_add"), outline_post(SIMPLE_PARTS[:-1])
    )

    assert response.status_code == 200
    assert "conclusion" in response.content.decode()
    assert not Outline.objects.filter(code="test-outline").exists()


def test_the_default_outline_of_a_mode_cannot_be_deleted(client, admin_user):
    default = Outline.objects.get(code="simple")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:assessments_outline_delete", args=[default.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Outline.objects.filter(pk=default.pk).exists()
