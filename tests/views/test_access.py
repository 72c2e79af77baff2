"""Unit privacy: another unit's assessment is a 404 on every route, for every method."""

import pytest
from django.urls import reverse

from assessments import urls as assessment_urls
from assessments.models import Role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

OBJECT_ROUTES = [
    pattern.name for pattern in assessment_urls.urlpatterns if "<int:pk>" in str(pattern.pattern)
]


def object_url(name: str, assessment) -> str:
    kwargs = {"pk": assessment.pk}
    pattern = str(next(p for p in assessment_urls.urlpatterns if p.name == name).pattern)
    if "<slug:step>" in pattern:
        kwargs["step"] = "project"
    if "<int:attachment_id>" in pattern:
        kwargs["attachment_id"] = 1  # none exists: the assessment's 404 must come first
    for param in ("record_id", "evaluation_id"):
        if f"<int:{param}>" in pattern:
            kwargs[param] = 1  # none exists: the assessment's 404 must come first
    if "<str:sha256>" in pattern:
        kwargs["sha256"] = "0" * 64
    return reverse(f"assessments:{name}", kwargs=kwargs)


def test_the_object_routes_are_all_covered():
    assert {"detail", "resume", "step", "submit"} <= set(OBJECT_ROUTES)


@pytest.mark.parametrize("name", OBJECT_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_on_every_assessment_route(client, outsider, draft, name, method):
    client.force_login(outsider)

    response = getattr(client, method)(object_url(name, draft))

    assert response.status_code in (404, 405)
    if response.status_code == 405:
        # The method is not offered at all; the other method must still be a 404.
        other = client.post if method == "get" else client.get
        assert other(object_url(name, draft)).status_code == 404


def test_an_outsider_does_not_see_the_assessment_in_lists(client, outsider, draft):
    client.force_login(outsider)

    listing = client.get(reverse("assessments:list"))
    home = client.get(reverse("assessments:home"))

    assert draft.project_name not in listing.text
    assert draft.project_name not in home.text


def test_a_member_of_both_units_sees_it(client, unit, other_unit, draft):
    both = make_user("frank", roles=[Role.ASSESSOR], units=[unit, other_unit])
    client.force_login(both)

    assert client.get(draft.get_absolute_url()).status_code == 200


def test_a_reviewer_may_read_but_not_edit(client, reviewer, draft):
    client.force_login(reviewer)

    assert client.get(draft.get_absolute_url()).status_code == 200
    step = reverse("assessments:step", kwargs={"pk": draft.pk, "step": "basic"})
    assert client.get(step).status_code == 403
    assert client.post(step, {"basic_situation": "x"}).status_code == 403


def test_a_submitted_assessment_is_read_only_with_a_message(client, assessor, complete_draft):
    from assessments.services import workflow

    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    client.force_login(assessor)
    step = reverse("assessments:step", kwargs={"pk": complete_draft.pk, "step": "basic"})

    response = client.post(
        step, {"basic_situation": "改写", "lock_version": complete_draft.lock_version}, follow=True
    )

    assert "现在不能编辑" in response.text
    complete_draft.refresh_from_db()
    assert complete_draft.basic_situation != "改写"
    from assessments.models import AuditAction, AuditEvent

    refusal = AuditEvent.objects.get(action=AuditAction.REFUSED)
    assert (refusal.user, refusal.success, refusal.object_id) == (
        assessor,
        False,
        str(complete_draft.pk),
    )


def test_anonymous_users_are_sent_to_login_from_every_route(client, draft):
    for name in OBJECT_ROUTES:
        response = client.get(object_url(name, draft))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_only_assessors_may_create(client, reviewer):
    client.force_login(reviewer)

    assert client.get(reverse("assessments:new")).status_code == 403


def test_asking_for_another_units_assessment_is_a_recorded_denial(client, outsider, draft):
    from assessments.models import AuditAction, AuditEvent

    client.force_login(outsider)

    response = client.get(draft.get_absolute_url())
    missing = client.get(reverse("assessments:detail", args=[draft.pk + 1000]))

    assert response.status_code == missing.status_code == 404
    denial = AuditEvent.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert (denial.user, denial.object_id, denial.success) == (outsider, str(draft.pk), False)
