"""Every route of the product and of /admin/, walked by every kind of person, over the
assessments of three units in every status.

The expectations are written here from DESIGN §2 — an independent statement of the rules, not
a call into `assessments.permissions` — and each request is checked for its answer, for the
audit row a denial must leave, and for the state of the database afterwards: what a request
may change, it changes; everything else stays as it was. Requests that change something run
in a savepoint that is rolled back, so every person meets the same world.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from assessments.common import files
from assessments.issuing import tasks
from assessments.issuing.tasks import approve_and_issue
from assessments.models import (
    Assessment,
    AuditAction,
    AuditEvent,
    LocalityRule,
    Membership,
    Outline,
    Role,
    Seal,
    SignedReport,
    Status,
    Unit,
    UnitOutline,
)
from assessments.services import evidence, workflow
from tests.factories import complete_assessment, make_assessment, make_unit, make_user

pytestmark = pytest.mark.django_db

PERSONAS = [
    "superuser",
    "unit_admin",
    "assessor",
    "reviewer",
    "clerk",
    "oversight",
    "dual",
    "deactivated",
    "anonymous",
]
STATUSES = [Status.DRAFT, Status.RETURNED, Status.SUBMITTED, Status.APPROVED, Status.ISSUED]
WORK = {Role.ASSESSOR, Role.REVIEWER, Role.CLERK}
# Who holds what where (unit keys: O oversight office, A and B under it, C outside it).
HOLDINGS = {
    "superuser": {},
    "unit_admin": {"A": {Role.UNIT_ADMIN}},
    "assessor": {"A": {Role.ASSESSOR}},
    "reviewer": {"A": {Role.REVIEWER}},
    "clerk": {"A": {Role.CLERK}},
    "oversight": {"O": {Role.OVERSIGHT}},
    # Different roles in two units: assesses in A, reviews in B.
    "dual": {"A": {Role.ASSESSOR}, "B": {Role.REVIEWER}},
    "deactivated": {"A": {Role.ASSESSOR, Role.REVIEWER}},
    "anonymous": {},
}
BELOW_OVERSIGHT = {"A", "B"}
LOGGED_OUT = {"anonymous", "deactivated"}  # a deactivated user's session is no session


@dataclass
class World:
    units: dict[str, Unit]
    people: dict[str, object]
    authors: dict[str, object]
    members: dict[str, object]  # a plain member of each unit, the target of account actions
    assessments: dict[tuple[str, str], Assessment]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(risk_scheme) -> World:
    o = make_unit("淄博市委政法委", prefix="")
    units = {
        "O": o,
        "A": make_unit("周村区大数据局", parent=o),
        "B": make_unit("张店区大数据局", parent=o),
        "C": make_unit("博山区大数据局"),
    }
    people = {"anonymous": None}
    for persona, holdings in HOLDINGS.items():
        if persona == "anonymous":
            continue
        people[persona] = make_user(
            persona,
            memberships={units[key]: sorted(roles) for key, roles in holdings.items()},
            is_superuser=persona == "superuser",
            is_staff=persona == "superuser",
        )
    people["deactivated"].is_active = False
    people["deactivated"].save()
    authors = {"A": people["assessor"]}
    reviewers = {"A": people["reviewer"]}
    for key in ("B", "C"):
        authors[key] = make_user(f"author_{key}", roles=[Role.ASSESSOR], units=[units[key]])
        reviewers[key] = make_user(f"reviewer_{key}", roles=[Role.REVIEWER], units=[units[key]])
    members = {
        "O": people["oversight"],
        "A": people["clerk"],
        "B": authors["B"],
        "C": authors["C"],
    }
    assessments = {}
    for key in ("A", "B", "C"):
        for status in STATUSES:
            item = complete_assessment(make_assessment(unit=units[key], author=authors[key]))
            # Evidence of the kind standard mode attaches, so its download is walked too.
            evidence.attachment_add(
                assessment=item,
                actor=authors[key],
                section="expert",
                activity=None,
                name="专家签到表.png",
                data=_png(),
                file_type=files.PNG,
            )
            item.refresh_from_db()
            if status != Status.DRAFT:
                workflow.assessment_submit(assessment=item, actor=authors[key])
            if status == Status.RETURNED:
                workflow.assessment_return(assessment=item, actor=reviewers[key], comment="改")
            if status in (Status.APPROVED, Status.ISSUED):
                # The test transaction holds back the on-commit issuing: it stays approved…
                approve_and_issue(assessment=item, actor=reviewers[key])
            if status == Status.ISSUED:
                tasks.issue_report(assessment_id=item.pk)  # …unless issued here.
            item.refresh_from_db()
            assert item.status == status
            assessments[(key, status)] = item
    return World(units, people, authors, members, assessments)


# --- the rules, restated -------------------------------------------------------------------


def roles_in(persona: str, unit_key: str) -> set[str]:
    return HOLDINGS[persona].get(unit_key, set())


def sees(persona: str, key: str, status: str) -> bool:
    if roles_in(persona, key) & WORK:
        return True
    return (
        Role.OVERSIGHT in roles_in(persona, "O")
        and key in BELOW_OVERSIGHT
        and (status == Status.ISSUED)
    )


def administers(persona: str, key: str) -> bool:
    return persona == "superuser" or Role.UNIT_ADMIN in roles_in(persona, key)


# --- state ---------------------------------------------------------------------------------


def snapshot() -> dict:
    User = get_user_model()
    return {
        "assessments": dict(Assessment.objects.values_list("pk", "status").order_by("pk")),
        "content": dict(Assessment.objects.values_list("pk", "lock_version").order_by("pk")),
        "reports": SignedReport.objects.count(),
        "memberships": set(Membership.objects.values_list("user_id", "unit_id", "role")),
        "users": set(
            User.objects.values_list("pk", "is_active", "is_staff", "is_superuser", "password")
        ),
        "units": set(Unit.objects.values_list("pk", "parent_id", "report_prefix")),
        "seals": set(Seal.objects.values_list("unit_id", "uploaded_at")),
        "rules": set(LocalityRule.objects.values_list("unit_id", "mode", "key", "required")),
        "outlines": set(UnitOutline.objects.values_list("unit_id", "mode", "outline_id")),
        "publicity": dict(Assessment.objects.values_list("pk", "publicity_start").order_by("pk")),
    }


def denials() -> int:
    return AuditEvent.objects.filter(action=AuditAction.PERMISSION_DENIED, success=False).count()


class Rollback(Exception):
    pass


def request_in_savepoint(client, method: str, url: str, data) -> tuple[object, dict, int]:
    """Send one request; return the response, the state it left and the denials it wrote,
    then roll its changes back. The savepoint is marked as the test case's own so the
    workflow's durable transactions run inside it as they do inside the test."""
    result = {}
    try:
        atomic = transaction.atomic()
        atomic._from_testcase = True
        with atomic:
            before = denials()
            result["response"] = getattr(client, method)(url, data)
            result["state"] = snapshot()
            result["denials"] = denials() - before
            raise Rollback
    except Rollback:
        pass
    return result["response"], result["state"], result["denials"]


# --- routes --------------------------------------------------------------------------------

OK, FOUND, FORBIDDEN, MISSING = 200, 302, 403, 404


def _latest_version(a: Assessment) -> str:
    return str(a.versions.order_by("-number").values_list("number", flat=True).first() or 1)


# Assessment routes: (url name, method, data builder, expected(persona, key, assessment),
# effect(persona, key, assessment) -> the status it moves to, "content", or None).
def _expect_detail(p, key, a):
    return OK


def _expect_resume(p, key, a):
    return FOUND


def _editing(p, key, a, *, editable_answer, post: bool):
    if Role.ASSESSOR not in roles_in(p, key):
        return FORBIDDEN
    if a.status in (Status.DRAFT, Status.RETURNED):
        return editable_answer
    return FOUND  # read-only now: back to the detail page with a message


def _expect_review(p, key, a):
    return OK if Role.REVIEWER in roles_in(p, key) else FORBIDDEN


def _expect_decision(p, key, a):
    return FOUND if Role.REVIEWER in roles_in(p, key) else FORBIDDEN


def _expect_download(p, key, a):
    if a.status != Status.ISSUED:
        return MISSING
    held = roles_in(p, key)
    allowed = (
        held & {Role.CLERK, Role.REVIEWER}
        or (Role.ASSESSOR in held and a.author.username == p)
        or (Role.OVERSIGHT in roles_in(p, "O") and key in BELOW_OVERSIGHT)
    )
    return OK if allowed else FORBIDDEN


def _expect_archive(p, key, a):
    """The archive package: the unit's clerks and reviewers; not issued → back with a message."""
    if not roles_in(p, key) & {Role.CLERK, Role.REVIEWER}:
        return FORBIDDEN
    return OK if a.status == Status.ISSUED else FOUND


def _expect_attachment(p, key, a):
    """Evidence files: members who work on the unit's assessments; oversight never."""
    return OK if roles_in(p, key) & WORK else FORBIDDEN


def _effect_save(p, key, a):
    editable = a.status in (Status.DRAFT, Status.RETURNED)
    return "content" if Role.ASSESSOR in roles_in(p, key) and editable else None


def _effect_submit(p, key, a):
    editable = a.status in (Status.DRAFT, Status.RETURNED)
    if Role.ASSESSOR in roles_in(p, key) and editable and a.author.username == p:
        return Status.SUBMITTED
    return None


def _decider(target):
    def effect(p, key, a):
        reviewer = Role.REVIEWER in roles_in(p, key)
        if reviewer and a.status == Status.SUBMITTED and a.author.username != p:
            return target
        return None

    return effect


def _effect_retry(p, key, a):
    if Role.REVIEWER in roles_in(p, key) and a.status == Status.APPROVED:
        return Status.ISSUED
    return None


ASSESSMENT_ROUTES = [
    ("assessments:detail", "get", None, _expect_detail, None),
    ("assessments:resume", "get", None, _expect_resume, None),
    (
        "assessments:step",
        "get",
        None,
        lambda p, k, a: _editing(p, k, a, editable_answer=OK, post=False),
        None,
    ),
    (
        "assessments:step",
        "post",
        lambda a: {
            "basic_situation": "新的基本情况",
            "lock_version": a.lock_version,
            "nav": "save",
        },
        lambda p, k, a: _editing(p, k, a, editable_answer=FOUND, post=True),
        _effect_save,
    ),
    (
        "assessments:submit",
        "post",
        lambda a: {"lock_version": a.lock_version},
        lambda p, k, a: FOUND if Role.ASSESSOR in roles_in(p, k) else FORBIDDEN,
        _effect_submit,
    ),
    ("assessments:review", "get", None, _expect_review, None),
    (
        "assessments:approve",
        "post",
        lambda a: {"version": _latest_version(a)},
        _expect_decision,
        _decider(Status.APPROVED),
    ),
    (
        "assessments:return",
        "post",
        lambda a: {"version": _latest_version(a), "comment": "请补充"},
        _expect_decision,
        _decider(Status.RETURNED),
    ),
    ("assessments:download", "get", None, _expect_download, None),
    ("assessments:archive_package", "get", None, _expect_archive, None),
    ("assessments:retry_issue", "post", None, _expect_decision, _effect_retry),
    ("assessments:issue_status", "get", None, _expect_detail, None),
    ("assessments:draft_pdf", "get", None, _expect_detail, None),
    ("assessments:attachment_download", "get", None, _expect_attachment, None),
    (
        "assessments:attachment_upload",
        "post",
        lambda a: {"section": "expert", "file": SimpleUploadedFile("纪要.png", _png())},
        lambda p, k, a: _editing(p, k, a, editable_answer=FOUND, post=True),
        _effect_save,
    ),
    (
        "assessments:attachment_remove",
        "post",
        None,
        lambda p, k, a: _editing(p, k, a, editable_answer=FOUND, post=True),
        _effect_save,
    ),
]


def _expect_copy(p, key, a):
    return FOUND if Role.ASSESSOR in roles_in(p, key) else FORBIDDEN


def _effect_copy(p, key, a):
    return "copy" if Role.ASSESSOR in roles_in(p, key) else None


def _expect_tracking(*, get: bool):
    """Tracking: the unit's staff write it once issued (before: back to the detail page
    with a message); the oversight above only reads it on the detail page."""

    def expected(p, key, a):
        if not roles_in(p, key) & WORK:
            return FORBIDDEN
        if a.status != Status.ISSUED:
            return FOUND
        return OK if get else FOUND

    return expected


def _expect_filing(*, get: bool):
    """备案: a clerk of the owning unit files an issued report (before: back to the detail
    page with a message); nobody else may."""

    def expected(p, key, a):
        if Role.CLERK not in roles_in(p, key):
            return FORBIDDEN
        return OK if get and a.status == Status.ISSUED else FOUND

    return expected


TRACKING = {"due_date": "2026-06-30", "tracked_by": "王某"}
POST_EVALUATION = {
    "trigger": "organ_decision",
    "started_on": "2026-06-01",
    "evaluated_by": "区政府",
}
ASSESSMENT_ROUTES += [
    ("assessments:copy", "post", None, _expect_copy, _effect_copy),
    ("assessments:filing_new", "get", None, _expect_filing(get=True), None),
    ("assessments:filing_new", "post", lambda a: {}, _expect_filing(get=False), None),
    ("assessments:tracking_new", "get", None, _expect_tracking(get=True), None),
    ("assessments:tracking_new", "post", lambda a: TRACKING, _expect_tracking(get=False), None),
    ("assessments:post_evaluation_new", "get", None, _expect_tracking(get=True), None),
    (
        "assessments:post_evaluation_new",
        "post",
        lambda a: POST_EVALUATION,
        _expect_tracking(get=False),
        None,
    ),
]


def _expect_publicity(*, get: bool):
    """The 公示 period: entered by the unit's assessors and clerks, in any status."""

    def expected(p, key, a):
        if not roles_in(p, key) & {Role.ASSESSOR, Role.CLERK}:
            return FORBIDDEN
        return OK if get else FOUND

    return expected


def _effect_publicity(p, key, a):
    return "publicity" if roles_in(p, key) & {Role.ASSESSOR, Role.CLERK} else None


PUBLICITY = {"start": "2026-06-01", "end": "2026-06-07"}
ASSESSMENT_ROUTES += [
    ("assessments:publicity", "get", None, _expect_publicity(get=True), None),
    (
        "assessments:publicity",
        "post",
        lambda a: PUBLICITY,
        _expect_publicity(get=False),
        _effect_publicity,
    ),
]
STEP_ARGS = {"get": "project", "post": "basic"}


def assessment_url(name: str, method: str, a: Assessment) -> str:
    if name == "assessments:step":
        return reverse(name, args=[a.pk, STEP_ARGS[method]])
    if name == "assessments:attachment_download":
        return reverse(name, args=[a.pk, a.attachments.get().sha256])
    if name == "assessments:attachment_remove":
        return reverse(name, args=[a.pk, a.attachments.get().pk])
    return reverse(name, args=[a.pk])


def login(client, world: World, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(world.people[persona])


def check(
    response, expected: int, persona: str, denied: int, context: str, audited: bool = True
) -> None:
    assert response.status_code == expected, context
    if response.status_code == FOUND and persona in LOGGED_OUT:
        assert response.url.startswith(reverse("login")), context
    if expected in (FORBIDDEN, MISSING) and persona not in LOGGED_OUT and audited:
        assert denied == 1, f"{context}: a denial leaves exactly one audit row"


@pytest.mark.parametrize("persona", PERSONAS)
def test_assessment_routes(client, world, persona):
    login(client, world, persona)
    for (key, status), assessment in world.assessments.items():
        for name, method, data, expected, effect in ASSESSMENT_ROUTES:
            a = Assessment.objects.get(pk=assessment.pk)
            context = f"{persona} {method.upper()} {name} on {key}/{status}"
            if persona in LOGGED_OUT:
                answer = FOUND
            elif not sees(persona, key, status):
                answer = MISSING
            else:
                answer = expected(persona, key, a)
            before = snapshot()

            response, after, denied = request_in_savepoint(
                client, method, assessment_url(name, method, a), data(a) if data else None
            )

            # A report not issued yet is simply not there: a 404 without a denial.
            audited = sees(persona, key, status) is False or answer == FORBIDDEN
            check(response, answer, persona, denied, context, audited)
            change = effect(persona, key, a) if effect and answer < 400 else None
            if persona in LOGGED_OUT:
                change = None
            if change == "copy":
                new = set(after["assessments"]) - set(before["assessments"])
                assert len(new) == 1, context
                for pk in new:
                    del after["assessments"][pk], after["content"][pk], after["publicity"][pk]
            elif change == "publicity":
                assert str(after["publicity"][a.pk]) == PUBLICITY["start"], context
                after["publicity"][a.pk] = before["publicity"][a.pk]
            elif change == "content":
                assert after["content"][a.pk] == before["content"][a.pk] + 1, context
                after["content"][a.pk] = before["content"][a.pk]
            elif change is not None:
                assert after["assessments"][a.pk] == change, context
                after["assessments"][a.pk] = before["assessments"][a.pk]
                if change == Status.ISSUED:
                    assert after["reports"] == before["reports"] + 1, context
                    after["reports"] = before["reports"]
                if change == Status.SUBMITTED:
                    after["content"][a.pk] = before["content"][a.pk]
            assert after == before, f"{context} changed what it must not"


# Global routes: (url name, args, method, expected(persona)).
def _any_role(*roles):
    return lambda p: any(set(roles) & held for held in HOLDINGS[p].values())


GLOBAL_ROUTES = [
    ("assessments:home", "get", lambda p: True),
    ("assessments:list", "get", lambda p: True),
    ("assessments:export", "get", lambda p: True),
    ("assessments:export_xlsx", "get", lambda p: True),
    ("assessments:new", "get", _any_role(Role.ASSESSOR)),
    ("assessments:review_queue", "get", _any_role(Role.REVIEWER)),
    (
        "assessments:dashboard",
        "get",
        _any_role(Role.ASSESSOR, Role.REVIEWER, Role.CLERK, Role.OVERSIGHT),
    ),
    ("assessments:filing_inbox", "get", _any_role(Role.OVERSIGHT)),
    ("units:list", "get", lambda p: p == "superuser" or _any_role(Role.UNIT_ADMIN)(p)),
    ("password_change", "get", lambda p: True),
    ("assessments:notifications", "get", lambda p: True),
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_global_routes(client, world, persona):
    login(client, world, persona)
    for name, method, allowed in GLOBAL_ROUTES:
        before = snapshot()
        response, after, denied = request_in_savepoint(client, method, reverse(name), None)
        expected = FOUND if persona in LOGGED_OUT else OK if allowed(persona) else FORBIDDEN
        if name == "units:list" and expected == OK and response.status_code == FOUND:
            expected = FOUND  # one unit administered: straight to it
        check(response, expected, persona, denied, f"{persona} {name}")
        assert after == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_routes_answer_everyone(client, world, persona):
    login(client, world, persona)
    report = SignedReport.objects.first()
    for url in (
        reverse("login"),
        reverse("verify_upload"),
        reverse("verify", args=[report.verification_token]),
    ):
        assert client.get(url).status_code == OK, url
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == FOUND


# Unit administration: (url name, method, needs a target user, data builder(world, key)).
def _grant(world, key):
    return {"username": world.members[key].username, "role": Role.REVIEWER}


UNIT_ROUTES = [
    ("units:detail", "get", False, None),
    ("units:settings", "get", False, None),
    ("units:user_new", "get", False, None),
    (
        "units:user_new",
        "post",
        False,
        lambda w, k: {
            "username": f"new_{k}",
            "last_name": "新",
            "first_name": "人",
            "roles": [Role.ASSESSOR],
        },
    ),
    ("units:grant", "post", False, _grant),
    ("units:withdraw", "post", "membership", None),
    ("units:deactivate", "post", "user", None),
    ("units:reset_password", "post", "user", None),
    ("units:unlock", "post", "user", None),
    ("units:settings", "post", False, lambda w, k: {"report_prefix": f"新{k}稳评"}),
    ("units:outlines", "get", False, None),
    (
        "units:outlines",
        "post",
        False,
        lambda w, k: {"simple": Outline.objects.get(code="qingshi-simple").pk},
    ),
]


# These answer the administrator's POST with the new temporary password, shown once.
SHOWS_A_PASSWORD = {"units:user_new", "units:reset_password"}


def unit_url(world: World, name: str, target: str | bool, key: str) -> str:
    unit = world.units[key]
    if target == "membership":
        member = world.members[key]
        membership = Membership.objects.filter(user=member, unit=unit).first()
        return reverse(name, args=[unit.pk, membership.pk])
    if target == "user":
        return reverse(name, args=[unit.pk, world.members[key].pk])
    return reverse(name, args=[unit.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_administration_routes(client, world, persona):
    login(client, world, persona)
    for key in ("O", "A", "B", "C"):
        for name, method, target, data in UNIT_ROUTES:
            context = f"{persona} {method.upper()} {name} on unit {key}"
            if persona in LOGGED_OUT:
                expected = FOUND
            elif not administers(persona, key):
                expected = MISSING
            elif method == "get" or name in SHOWS_A_PASSWORD:
                expected = OK
            else:
                expected = FOUND
            before = snapshot()

            response, after, denied = request_in_savepoint(
                client,
                method,
                unit_url(world, name, target, key),
                data(world, key) if data else None,
            )

            check(response, expected, persona, denied, context)
            # Unlocking a member who is not locked out changes nothing but the audit log.
            acts = method == "post" and name != "units:unlock"
            if acts and administers(persona, key) and persona not in LOGGED_OUT:
                assert after != before, f"{context} did nothing"
            else:
                assert after == before, f"{context} changed what it must not"


# A unit's rules: (url name, method, data). The list is for every administrator of the unit;
# a change only for one of a unit with units below it (O here) — elsewhere it is a 403.
RULE_ROUTES = [
    ("units:rules", "get", None),
    ("units:rule_edit", "get", None),
    ("units:rule_edit", "post", {"required": "0", "source": "某区实施细则第九条"}),
    ("units:rule_reset", "post", None),
]


def _rule_url(world: World, name: str, key: str) -> str:
    unit = world.units[key]
    if name == "units:rules":
        return reverse(name, args=[unit.pk])
    return reverse(name, args=[unit.pk, "standard", "meeting_chair"])


@pytest.mark.parametrize("persona", PERSONAS)
def test_unit_rule_routes(client, world, persona):
    login(client, world, persona)
    for key in ("O", "A", "B", "C"):
        # Something of the unit's own to reset, so a permitted reset changes something.
        LocalityRule.objects.create(
            unit=world.units[key], mode="standard", key="meeting_chair", source="原规则"
        )
        for name, method, data in RULE_ROUTES:
            context = f"{persona} {method.upper()} {name} on unit {key}"
            if persona in LOGGED_OUT:
                expected = FOUND
            elif not administers(persona, key):
                expected = MISSING
            elif name == "units:rules":
                expected = OK
            elif key != "O":
                expected = FORBIDDEN
            else:
                expected = OK if method == "get" else FOUND
            before = snapshot()

            response, after, denied = request_in_savepoint(
                client, method, _rule_url(world, name, key), data
            )

            check(response, expected, persona, denied, context)
            if method == "post" and expected == FOUND and persona not in LOGGED_OUT:
                assert after != before, f"{context} did nothing"
            else:
                assert after == before, f"{context} changed what it must not"


def test_a_unit_administrator_cannot_reach_beyond_their_unit(client, world):
    """Join another unit, grant themselves a role there, become superuser, or upload
    another unit's seal: each refused, audited, and nothing changes."""
    me = world.people["unit_admin"]
    client.force_login(me)
    other = world.units["B"]
    attempts = [
        (reverse("units:grant", args=[other.pk]), {"username": me.username, "role": "assessor"}),
        (reverse("units:grant", args=[other.pk]), {"username": me.username, "role": "unit_admin"}),
        (
            reverse("units:settings", args=[other.pk]),
            {"report_prefix": "张大数稳评", "seal": io.BytesIO(_png())},
        ),
        (
            reverse("admin:auth_user_change", args=[me.pk]),
            {"username": me.username, "is_superuser": "on", "is_staff": "on", "is_active": "on"},
        ),
    ]
    before = snapshot()
    for url, data in attempts:
        audit_before = denials()

        response = client.post(url, data)

        assert response.status_code in (FORBIDDEN, MISSING), url
        assert denials() == audit_before + 1, url
    # Creating a user in their own unit cannot make a superuser either.
    client.post(
        reverse("units:user_new", args=[world.units["A"].pk]),
        {
            "username": "sneaky",
            "last_name": "偷",
            "first_name": "偷",
            "roles": ["assessor"],
            "is_superuser": "on",
        },
    )
    sneaky = get_user_model().objects.filter(username="sneaky").first()
    assert sneaky is not None and not (sneaky.is_superuser or sneaky.is_staff)
    me.refresh_from_db()
    assert not me.is_superuser and not me.is_staff
    after = snapshot()
    after["users"] = {row for row in after["users"] if sneaky is None or row[0] != sneaky.pk}
    after["memberships"] = {
        row for row in after["memberships"] if sneaky is None or row[0] != sneaky.pk
    }
    assert after == before


def _refusals(action: AuditAction) -> int:
    return AuditEvent.objects.filter(action=action, success=False).count()


def test_a_unit_administrator_cannot_counterfeit_or_promote_themselves(client, world):
    """Issue 19 in the walk's world: a role for oneself in one's own unit, another unit's
    prefix with a hidden character, another person's username in another case — each
    answered on the page (200) with the reason beside the field, audited, nothing changed."""
    me = world.people["unit_admin"]
    own = world.units["A"]
    client.force_login(me)
    prefix_b = world.units["B"].report_prefix
    attempts = [
        (
            reverse("units:grant", args=[own.pk]),
            {"username": me.username, "role": Role.REVIEWER},
            AuditAction.SELF_GRANT_REFUSED,
        ),
        (
            reverse("units:settings", args=[own.pk]),
            {"report_prefix": f"{prefix_b}\u200b"},
            AuditAction.REFUSED,
        ),
        (
            reverse("units:user_new", args=[own.pk]),
            {"username": "Clerk", "last_name": "假", "first_name": "名", "roles": ["reviewer"]},
            AuditAction.REFUSED,
        ),
    ]
    before = snapshot()
    for url, data, action in attempts:
        audit_before = _refusals(action)

        response = client.post(url, data)

        assert response.status_code == OK, url
        assert _refusals(action) == audit_before + 1, url
    assert snapshot() == before


@pytest.mark.parametrize("action", ["deactivate", "reset_password", "unlock"])
def test_a_person_given_a_role_by_another_unit_stays_their_home_units(client, world, action):
    """B's administrator invites A's clerk into B; the clerk's account stays A's to manage."""
    clerk, unit_b = world.people["clerk"], world.units["B"]
    admin_b = make_user("admin_B", roles=[Role.UNIT_ADMIN], units=[unit_b])
    client.force_login(admin_b)
    client.post(reverse("units:grant", args=[unit_b.pk]), {"username": "clerk", "role": "clerk"})
    assert Membership.objects.filter(user=clerk, unit=unit_b).exists()
    before = snapshot()

    response, after, denied = request_in_savepoint(
        client, "post", reverse(f"units:{action}", args=[unit_b.pk, clerk.pk]), None
    )

    check(response, FORBIDDEN, "unit_admin", denied, f"B's admin {action} A's clerk")
    assert after == before
    client.force_login(world.people["unit_admin"])
    response = client.post(reverse(f"units:{action}", args=[world.units["A"].pk, clerk.pk]))
    assert response.status_code in (OK, FOUND)


def test_an_author_who_is_also_a_reviewer_cannot_approve_their_own_work(client, world):
    author = world.people["assessor"]
    Membership.objects.create(user=author, unit=world.units["A"], role=Role.REVIEWER)
    submitted = world.assessments[("A", Status.SUBMITTED)]
    client.force_login(author)

    response = client.post(
        reverse("assessments:approve", args=[submitted.pk]), {"version": "1"}, follow=True
    )

    assert "您没有权限批准此评估" in response.text
    assert Assessment.objects.get(pk=submitted.pk).status == Status.SUBMITTED


# --- the admin -----------------------------------------------------------------------------


def admin_urls() -> list[str]:
    """Every admin page: the index, and for each registered model its list, add form, and
    (for its first row) change, history and delete pages."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        urls.append(reverse(f"{prefix}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            for view in ("change", "history", "delete"):
                urls.append(reverse(f"{prefix}_{view}", args=[obj.pk]))
    return urls


# The operator may look at everything; history and content stay unchangeable even for them.
LOOK_ONLY = {
    "assessments_auditevent",
    "assessments_reviewevent",
    "assessments_version",
    "assessments_signedreport",
    "assessments_issuefailure",
    "assessments_reportcounter",
    "assessments_contact",
    "assessments_finding",
    "assessments_riskpoint",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_routes(client, world, persona):
    login(client, world, persona)
    for url in admin_urls():
        before = snapshot()
        response, after, denied = request_in_savepoint(client, "get", url, None)
        if persona in LOGGED_OUT:
            assert response.status_code == FOUND and "login" in response.url, url
        elif persona != "superuser":
            check(response, FORBIDDEN, persona, denied, f"{persona} {url}")
        else:
            look_only = any(f"/{m.replace('_', '/', 1)}/" in url for m in LOOK_ONLY)
            writes = url.endswith(("/add/", "/delete/"))
            if look_only and writes:
                assert response.status_code == FORBIDDEN, f"superuser {url}"
            else:
                assert response.status_code in (OK, FORBIDDEN), f"superuser {url}"
            if not writes:
                assert response.status_code == OK, f"superuser {url}"
        assert after == before, url


def test_the_operator_cannot_rewrite_history_in_the_admin(client, world):
    client.force_login(world.people["superuser"])
    event = AuditEvent.objects.first()
    report = SignedReport.objects.first()
    before = snapshot()

    for url in (
        reverse("admin:assessments_auditevent_change", args=[event.pk]),
        reverse("admin:assessments_auditevent_delete", args=[event.pk]),
        reverse("admin:assessments_signedreport_delete", args=[report.pk]),
    ):
        response = client.post(url, {"post": "yes", "detail": "rewritten"})
        assert response.status_code == FORBIDDEN, url

    assert snapshot() == before
    assert AuditEvent.objects.filter(detail="rewritten").count() == 0


# --- every route is walked -----------------------------------------------------------------

WALKED = (
    {name for name, *_ in ASSESSMENT_ROUTES}
    | {name for name, *_ in GLOBAL_ROUTES}
    | {name for name, *_ in UNIT_ROUTES}
    | {name for name, *_ in RULE_ROUTES}
    | {"login", "verify_upload", "verify", "set_language"}
)
# Routes walked elsewhere, with where.
ELSEWHERE = {
    "logout": "tests/browser/test_login.py logs out through the page",
    "password_change_done": "tests/services/test_password_change.py",
    "units:reactivate": "tests/views/test_unit_admin.py (needs a deactivated member first)",
    "healthz": "tests/ops/test_health.py",
    "assessments:tracking_edit": "tests/views/test_tracking.py (needs a record first)",
    "assessments:post_evaluation_edit": "tests/views/test_tracking.py (needs one first)",
    "assessments:notification_read": "tests/notify/test_views.py (needs a notification)",
    "assessments:notifications_read_all": "tests/notify/test_views.py (POST, own rows only)",
    "assessments:filing_form": "tests/views/test_filing.py (needs a filing first)",
    "assessments:filing_act": "tests/views/test_filing.py (needs a filing first)",
    "assessments:filing_text": "tests/views/test_filing.py (needs a filing first)",
}


def _names(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_named_route_is_walked():
    names = {name for name in _names(get_resolver()) if not name.startswith("admin:")}

    assert sorted(names - WALKED - set(ELSEWHERE)) == []
