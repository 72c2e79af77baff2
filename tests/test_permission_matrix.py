"""Every role against every route and action: the expected status code, and for actions the
expected effect. One table, so a change of rule shows up as a change of the table."""

import pytest
from django.urls import reverse

from assessments import issuing, workflow
from assessments.models import Assessment, Membership, Role, Status
from tests.factories import complete_assessment, make_assessment, make_unit, make_user

pytestmark = pytest.mark.django_db

ROLES = ["author", "colleague", "reviewer", "clerk", "outsider", "anonymous"]


@pytest.fixture
def world(risk_scheme):
    unit, other = make_unit(), make_unit()
    users = {
        "author": make_user("author", roles=[Role.ASSESSOR], units=[unit]),
        "colleague": make_user("colleague", roles=[Role.ASSESSOR], units=[unit]),
        "reviewer": make_user("reviewer", roles=[Role.REVIEWER], units=[unit]),
        "clerk": make_user("clerk", roles=[Role.CLERK], units=[unit]),
        "admin": make_user("admin", roles=[Role.UNIT_ADMIN], units=[unit]),
        "outsider": make_user("outsider", roles=[Role.ASSESSOR, Role.REVIEWER], units=[other]),
    }
    draft = complete_assessment(make_assessment(unit=unit, author=users["author"]))
    submitted = complete_assessment(make_assessment(unit=unit, author=users["author"]))
    workflow.assessment_submit(assessment=submitted, actor=users["author"])
    # Approved; the test transaction holds back the on-commit issuing, so it stays approved.
    approved = complete_assessment(make_assessment(unit=unit, author=users["author"]))
    workflow.assessment_submit(assessment=approved, actor=users["author"])
    workflow.assessment_approve(assessment=approved, actor=users["reviewer"])
    return {
        "users": users,
        "unit": unit,
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
    }


def add_issued(world) -> None:
    """An issued assessment too (rendering and signing take a moment: only when needed)."""
    users = world["users"]
    issued = complete_assessment(make_assessment(unit=world["unit"], author=users["author"]))
    workflow.assessment_submit(assessment=issued, actor=users["author"])
    workflow.assessment_approve(assessment=issued, actor=users["reviewer"])
    world["report"] = issuing.issue_report(assessment_id=issued.pk)
    world["issued"] = issued


def basic_post(world):
    draft = Assessment.objects.get(pk=world["draft"].pk)
    return {"basic_situation": "新的基本情况", "lock_version": draft.lock_version, "nav": "save"}


# (action, method, url builder, data builder, {role: expected status})
OK, REDIRECT, FORBIDDEN, MISSING = 200, 302, 403, 404
EVERYONE_OK = {role: OK for role in ROLES} | {"anonymous": REDIRECT}
MEMBERS_OK = {**EVERYONE_OK, "outsider": MISSING}
ACTIONS = [
    ("home", "get", lambda w: reverse("assessments:home"), None, EVERYONE_OK),
    ("list", "get", lambda w: reverse("assessments:list"), None, EVERYONE_OK),
    ("export", "get", lambda w: reverse("assessments:export"), None, EVERYONE_OK),
    (
        "new",
        "get",
        lambda w: reverse("assessments:new"),
        None,
        {**EVERYONE_OK, "reviewer": FORBIDDEN, "clerk": FORBIDDEN, "admin": FORBIDDEN},
    ),
    (
        "review queue",
        "get",
        lambda w: reverse("assessments:review_queue"),
        None,
        {
            **EVERYONE_OK,
            "author": FORBIDDEN,
            "colleague": FORBIDDEN,
            "clerk": FORBIDDEN,
            "admin": FORBIDDEN,
        },
    ),
    ("detail", "get", lambda w: w["draft"].get_absolute_url(), None, MEMBERS_OK),
    (
        "edit step",
        "get",
        lambda w: reverse("assessments:step", args=[w["draft"].pk, "project"]),
        None,
        {**MEMBERS_OK, "reviewer": FORBIDDEN, "clerk": FORBIDDEN, "admin": FORBIDDEN},
    ),
    (
        "save step",
        "post",
        lambda w: reverse("assessments:step", args=[w["draft"].pk, "basic"]),
        basic_post,
        {
            **MEMBERS_OK,
            "author": REDIRECT,
            "colleague": REDIRECT,
            "reviewer": FORBIDDEN,
            "clerk": FORBIDDEN,
            "admin": FORBIDDEN,
        },
    ),
    (
        "submit",
        "post",
        lambda w: reverse("assessments:submit", args=[w["draft"].pk]),
        lambda w: {"lock_version": Assessment.objects.get(pk=w["draft"].pk).lock_version},
        {
            **MEMBERS_OK,
            "author": REDIRECT,
            "colleague": REDIRECT,  # refused with a message: only the author submits
            "reviewer": FORBIDDEN,
            "clerk": FORBIDDEN,
            "admin": FORBIDDEN,
        },
    ),
    (
        "review page",
        "get",
        lambda w: reverse("assessments:review", args=[w["submitted"].pk]),
        None,
        {
            **MEMBERS_OK,
            "author": FORBIDDEN,
            "colleague": FORBIDDEN,
            "clerk": FORBIDDEN,
            "admin": FORBIDDEN,
        },
    ),
    (
        "approve",
        "post",
        lambda w: reverse("assessments:approve", args=[w["submitted"].pk]),
        lambda w: {"version": "1"},
        {
            **MEMBERS_OK,
            "author": FORBIDDEN,
            "colleague": FORBIDDEN,
            "reviewer": REDIRECT,
            "clerk": FORBIDDEN,
            "admin": FORBIDDEN,
        },
    ),
    (
        "return",
        "post",
        lambda w: reverse("assessments:return", args=[w["submitted"].pk]),
        lambda w: {"comment": "请修改", "version": "1"},
        {
            **MEMBERS_OK,
            "author": FORBIDDEN,
            "colleague": FORBIDDEN,
            "reviewer": REDIRECT,
            "clerk": FORBIDDEN,
            "admin": FORBIDDEN,
        },
    ),
]

ACTIONS += [
    (
        "download",
        "get",
        lambda w: reverse("assessments:download", args=[w["issued"].pk]),
        None,
        {**MEMBERS_OK, "colleague": FORBIDDEN, "admin": FORBIDDEN},
    ),
    (
        "retry issue",
        "post",
        lambda w: reverse("assessments:retry_issue", args=[w["approved"].pk]),
        None,
        {
            **MEMBERS_OK,
            "author": FORBIDDEN,
            "colleague": FORBIDDEN,
            "reviewer": REDIRECT,
            "clerk": FORBIDDEN,
            "admin": REDIRECT,
        },
    ),
    (
        "verify (public)",
        "get",
        lambda w: reverse("verify", args=[w["report"].verification_token]),
        None,
        {**EVERYONE_OK, "anonymous": OK},
    ),
]

STATEFUL = ("draft", "submitted", "approved", "issued")
# Which (action, role) pairs change a status, and to what.
EFFECTS = {
    ("submit", "author"): ("draft", Status.SUBMITTED),
    ("approve", "reviewer"): ("submitted", Status.APPROVED),
    ("return", "reviewer"): ("submitted", Status.RETURNED),
    ("retry issue", "reviewer"): ("approved", Status.ISSUED),
    ("retry issue", "admin"): ("approved", Status.ISSUED),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "method", "url", "data", "expected"), ACTIONS, ids=[a[0] for a in ACTIONS]
)
def test_role_against_route(client, world, role, action, method, url, data, expected):
    if action in ("download", "verify (public)"):
        add_issued(world)
    if role != "anonymous":
        client.force_login(world["users"][role])
    stateful = [key for key in STATEFUL if key in world]
    before = {key: Assessment.objects.get(pk=world[key].pk).status for key in stateful}

    response = getattr(client, method)(url(world), data(world) if data else None)

    assert response.status_code == expected[role]
    if response.status_code == REDIRECT and role == "anonymous":
        assert response.url.startswith(reverse("login"))
    after = {key: Assessment.objects.get(pk=world[key].pk).status for key in stateful}
    if (action, role) in EFFECTS:
        key, status = EFFECTS[(action, role)]
        assert after[key] == status
        assert {k: v for k, v in after.items() if k != key} == {
            k: v for k, v in before.items() if k != key
        }
    else:
        assert after == before


def test_an_author_who_is_also_a_reviewer_cannot_approve_their_own_work(client, world):
    author = world["users"]["author"]
    Membership.objects.create(user=author, unit=world["unit"], role=Role.REVIEWER)
    client.force_login(author)

    response = client.post(
        reverse("assessments:approve", args=[world["submitted"].pk]), {"version": "1"}, follow=True
    )

    assert "您没有权限批准此评估" in response.text
    assert Assessment.objects.get(pk=world["submitted"].pk).status == Status.SUBMITTED
