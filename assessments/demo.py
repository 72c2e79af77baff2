"""Demo data: the reference report and a few more, loaded through the real editing.

The content lives in `fixtures/demo.json`; this module only feeds it through
`services` and `workflow`, so demo data obeys every rule real data does. Passwords are
generated on first load and kept outside git (in var/), never written in the repository.
"""

from __future__ import annotations

import importlib
import io
import json
import secrets
import string
from datetime import date, timedelta
from pathlib import Path

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from .common import fonts
from .issuing.tasks import approve_and_issue, issue_report
from .models import (
    ActivityKind,
    Assessment,
    BasisDocument,
    ConsultationActivity,
    DecisionOption,
    EmergencyContact,
    ExpertMember,
    Filing,
    LocalityRule,
    Membership,
    Opinion,
    Outline,
    RiskLevel,
    Seal,
    Status,
    TrackingRecord,
    Unit,
    UnitOutline,
    WorkingGroupMember,
)
from .reports.seals import read_seal_image
from .services import accounts, editing, evidence, filing, locality, tracking, workflow
from .services.reminders import run_daily

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
DEMO_FILE = FIXTURES_DIR / "demo.json"
RISK_SCHEME_FILE = FIXTURES_DIR / "risk_scheme.json"
STANDARD_RULES_FILE = FIXTURES_DIR / "standard_rules.json"


def load_demo_spec() -> dict:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def ensure_risk_scheme() -> None:
    """Load the risk-level scheme and matrix unless a locality has already set its own."""
    if not RiskLevel.objects.exists():
        call_command("loaddata", str(RISK_SCHEME_FILE), verbosity=0)
    ensure_standard_rules()
    ensure_shipped_outlines()


def ensure_shipped_outlines() -> None:
    """The outlines the product ships (migration 0016, the one place they are written),
    unless the database holds outlines already: a database emptied by `flush` has none."""
    if not Outline.objects.exists():
        shipped = importlib.import_module("assessments.migrations.0016_outlines")
        shipped.ship_outlines(django_apps, None)


def ensure_standard_rules() -> None:
    """Load the kinds of activity, decision options and mode rules of standard mode unless
    a locality has already set its own."""

    if not ActivityKind.objects.exists():
        call_command("loaddata", str(STANDARD_RULES_FILE), verbosity=0)


def generate_password() -> str:
    """A password that meets the policy: ≥ 8 characters from at least three classes."""
    letters = "".join(secrets.choice(string.ascii_lowercase) for _ in range(4))
    digits = "".join(secrets.choice(string.digits) for _ in range(4))
    return f"Wp{letters}-{digits}"


def _demo_passwords(usernames: list[str]) -> dict[str, str]:
    path = Path(settings.VAR_DIR) / "demo-logins.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    for username in usernames:
        if username not in known:
            known[username] = generate_password()
            changed = True
    if changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(known, indent=1))
        path.chmod(0o600)
    return known


def load_demo(*, passwords: dict[str, str] | None = None) -> dict[str, str]:
    """Create whatever of the demo units, users and assessments is missing; returns
    username → password. Safe to run again: on an installation loaded by an older version
    it adds only what is new."""
    spec = load_demo_spec()
    ensure_risk_scheme()
    usernames = [user["username"] for user in spec["users"]]
    if passwords is None:
        passwords = _demo_passwords(usernames)
    units, users = _ensure_people(spec, passwords)
    _ensure_rules(spec, units=units, users=users)
    _ensure_demo_seals(units.values())
    # Each workflow transition runs in its own durable transaction, so the assessments are
    # created outside one; an interrupted load is finished by running it again.
    for item in spec["assessments"]:
        if not Assessment.objects.filter(owner_unit=units[item["unit"]], title=item["title"]):
            create_demo_assessment(item, units=units, users=users)
    _ensure_filings(spec, units=units, users=users)
    _ensure_tracking(spec, units=units, users=users)
    return {name: passwords[name] for name in usernames}


def _ensure_filings(spec: dict, *, units: dict, users: dict) -> None:
    """备案 (issue 18): a demo report filed by its clerk with the city and answered there —
    received, its written opinion recorded, approved (审定) — through the same services
    (and audit) as the inbox. Done once the load's approvals have committed (at once outside
    a transaction): the report is issued first if the worker has not yet (issuing is
    idempotent, so the queued task then finds it issued)."""
    for item in spec["assessments"]:
        given = item.get("filing")
        if given is not None:
            assessment = Assessment.objects.get(owner_unit=units[item["unit"]], title=item["title"])
            transaction.on_commit(
                lambda assessment=assessment, given=given: _file_demo_report(
                    assessment, given, users=users
                )
            )


def _file_demo_report(assessment: Assessment, given: dict, *, users: dict) -> None:
    if Filing.objects.filter(assessment=assessment).exists():
        return
    assessment.refresh_from_db()
    if assessment.status == Status.APPROVED:
        issue_report(assessment_id=assessment.pk)
        assessment.refresh_from_db()
    done = filing.file_report(
        assessment=assessment,
        data={"result_use": given["result_use"], "remarks": given["remarks"]},
        actor=users[given["by"]],
    )
    oversight = users[given["answered_by"]]
    filing.receive(filing=done, actor=oversight)
    filing.record_opinion(filing=done, text=given["opinion"], actor=oversight)
    filing.approve(filing=done, actor=oversight)


def _ensure_tracking(spec: dict, *, units: dict, users: dict) -> None:
    """After the decision (issue 18): a demo report's tracking record, due some days ago
    with nothing found yet — so it is overdue — and the day's reminders run, so the unit and
    the oversight above it are told. After the filings' callbacks: the report is issued by
    then."""
    for item in spec["assessments"]:
        given = item.get("tracking")
        if given is not None:
            assessment = Assessment.objects.get(owner_unit=units[item["unit"]], title=item["title"])
            transaction.on_commit(
                lambda assessment=assessment, given=given: _track_demo_report(
                    assessment, given, users=users
                )
            )


def _track_demo_report(assessment: Assessment, given: dict, *, users: dict) -> None:
    if not TrackingRecord.objects.filter(assessment=assessment).exists():
        tracking.tracking_save(
            assessment=assessment,
            record=None,
            data={
                "due_date": timezone.localdate() - timedelta(days=given["due_days_ago"]),
                "tracked_by": given["tracked_by"],
                "tracked_on": None,
                "findings": "",
                "new_risks": "",
            },
            measures={},
            actor=users[assessment.author.username],
        )
    run_daily()  # once a day, as the workers do; nobody is told the same thing twice


DEMO_SEAL_LINES = ("演示专用", "非正式印章", "不具效力")


def demo_seal_png() -> bytes:
    """An obviously fictional seal for the demo units: a red ring with 演示专用 · 非正式印章
    written across it in plain type — no star, no unit name, nothing an official seal has —
    drawn with Pillow, so a demo report shows where a real seal goes without imitating one."""
    size = 360
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 30, 30, 255)
    draw.ellipse((12, 12, size - 12, size - 12), outline=red, width=10)
    found = fonts.font_file("Noto Sans CJK SC")
    for line, (y, points) in zip(DEMO_SEAL_LINES, ((95, 52), (160, 44), (228, 36)), strict=True):
        font = (
            ImageFont.truetype(found[0], points, index=found[1])
            if found
            else ImageFont.load_default(points)
        )
        draw.text((size / 2, y), line, fill=red, font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _ensure_demo_seals(units) -> None:
    """Every demo unit without a seal gets the demo seal, checked like any upload."""
    png = None
    for unit in units:
        if Seal.objects.filter(unit=unit).exists():
            continue
        png = png or demo_seal_png()
        checked = read_seal_image(SimpleUploadedFile("demo-seal.png", png, "image/png"))
        Seal.objects.create(unit=unit, image=checked.data, content_type=checked.content_type)


@transaction.atomic
def _ensure_people(spec: dict, passwords: dict[str, str]) -> tuple[dict, dict]:
    units: dict[str, Unit] = {}
    for u in spec["units"]:  # parents come first in the file
        unit, _created = Unit.objects.get_or_create(code=u["code"], defaults={"name": u["name"]})
        if unit.parent_id is None and u["parent"]:
            unit.parent = units[u["parent"]]
        unit.report_prefix = unit.report_prefix or u["report_prefix"]
        unit.save()
        units[u["code"]] = unit
        # The outline the unit's reports follow, per mode (a locality's data, issue 16).
        for mode, code in u.get("outlines", {}).items():
            UnitOutline.objects.get_or_create(
                unit=unit, mode=mode, defaults={"outline": Outline.objects.get(code=code)}
            )
    User = get_user_model()
    users = {user.username: user for user in User.objects.filter(username__in=passwords)}
    for u in spec["users"]:
        if u["username"] in users:
            continue
        superuser = u.get("superuser", False)
        user = User.objects.create_user(
            # The demo's names obey the rules every account's name does.
            username=accounts.username_check(u["username"]),
            password=passwords[u["username"]],
            first_name=u["first_name"],
            last_name=u["last_name"],
            is_staff=superuser,
            is_superuser=superuser,
        )
        Membership.objects.bulk_create(
            Membership(user=user, unit=units[code], role=role)
            for code, roles in u["memberships"].items()
            for role in roles
        )
        # Home: the first unit listed for the person (none for the operator).
        home = next(iter(u["memberships"]), None)
        accounts.profile_claim(user, home_unit=units[home] if home else None)
        users[user.username] = user
    return units, users


def _ensure_rules(spec: dict, *, units: dict, users: dict) -> None:
    """A unit's own rules, set through the same service (and audit) as the rules page:
    the city loosens one national default, so the units below show where a rule comes from."""
    for item in spec.get("rules", []):
        unit = units[item["unit"]]
        if LocalityRule.objects.filter(unit=unit, mode=item["mode"], key=item["key"]).exists():
            continue
        locality.unit_rule_set(
            actor=users[item["by"]],
            unit=unit,
            mode=item["mode"],
            key=item["key"],
            required=item["required"],
            number=item["number"],
            source=item["source"],
        )


def create_demo_assessment(item: dict, *, units: dict, users: dict) -> Assessment:
    levels = {level.code: level for level in RiskLevel.objects.all()}
    author = users[item["author"]]
    assessment = editing.assessment_create(
        owner_unit=units[item["unit"]],
        author=author,
        title=item["title"],
        project_name=item["project_name"],
        responsible_entity=item["responsible_entity"],
        mode=item["mode"],
        evaluating_unit=item["evaluating_unit"],
        report_date=date.fromisoformat(item["report_date"]) if item["report_date"] else None,
        basic_situation=item["basic_situation"],
        risk_narrative=item["risk_narrative"],
        risk_level=levels[item["risk_level"]] if item["risk_level"] else None,
        recommendation=item["recommendation"],
        conclusion=item["conclusion"],
        matter_kind=item.get("matter_kind", "project"),
        mode_reason=item.get("mode_reason", ""),
        measures_count=item.get("measures_count"),
        not_stated=item.get("not_stated", []),
        **item.get("facts", {}),
        **item.get("thresholds", {}),
    )
    for side, contacts in item["contacts"].items():
        editing.contacts_replace(assessment=assessment, side=side, rows=contacts)
    editing.findings_update(assessment=assessment, findings=item["findings"])
    editing.risk_points_replace(
        assessment=assessment,
        rows=[
            {**point, "level_after": levels[point["level_after"]]} for point in item["risk_points"]
        ],
    )
    editing.free_sections_update(assessment=assessment, texts=item.get("free_sections", {}))
    if "standard" in item:
        _demo_standard_records(assessment, item["standard"], author=author, levels=levels)
    if item["status"] in (Status.SUBMITTED, Status.APPROVED, Status.ISSUED):
        workflow.assessment_submit(assessment=assessment, actor=author)
    if item["status"] in (Status.APPROVED, Status.ISSUED):
        # Approval issues the signed report once the demo load commits.
        approve_and_issue(assessment=assessment, actor=users[item["reviewer"]], comment="同意。")
    return assessment


DEMO_ATTACHMENTS_DIR = FIXTURES_DIR / "demo_attachments"


def _demo_standard_records(assessment: Assessment, spec: dict, *, author, levels: dict) -> None:
    """A standard assessment's records and evidence, through the same services and upload
    checks as the guided form. A summary-level case gives counts ("figures") and marks
    what its source does not state ("not_stated") instead of rows, dates and names."""

    def day(value):
        return date.fromisoformat(value) if value else None

    kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
    editing.rows_sync(assessment=assessment, model=BasisDocument, rows=spec["basis_documents"])
    editing.rows_sync(assessment=assessment, model=WorkingGroupMember, rows=spec["working_group"])
    editing.rows_sync(
        assessment=assessment,
        model=ConsultationActivity,
        rows=[
            {
                **activity,
                "kind": kinds[activity["kind"]],
                "start_date": day(activity.get("start_date")),
                "end_date": day(activity.get("end_date")),
            }
            for activity in spec["activities"]
        ],
    )
    activities = list(assessment.activities.order_by("order"))
    editing.rows_sync(
        assessment=assessment,
        model=Opinion,
        rows=[
            {
                **{k: v for k, v in opinion.items() if k != "source"},
                "activity": activities[opinion["source"] - 1] if opinion["source"] else None,
            }
            for opinion in spec["opinions"]
        ],
    )
    editing.rows_sync(assessment=assessment, model=ExpertMember, rows=spec["experts"])
    editing.rows_sync(
        assessment=assessment, model=EmergencyContact, rows=spec["emergency_contacts"]
    )
    expert, emergency, decision = spec["expert_review"], spec["emergency"], spec["decision"]
    editing.standard_record_update(
        assessment=assessment,
        data={
            "responsible_leader": spec["responsible_leader"],
            "third_party": spec["third_party"],
            "expert_date": day(expert["date"]),
            "expert_level": levels[expert["level"]],
            "expert_recommendation": expert["recommendation"],
            "expert_opinion": expert["opinion"],
            "emergency_triggers": emergency["triggers"],
            "emergency_command_leader": emergency["command_leader"],
            "emergency_command_units": emergency["command_units"],
            "emergency_measures": emergency["measures"],
            "meeting_kind": decision["meeting_kind"],
            "meeting_date": day(decision["date"]),
            "meeting_chair": decision["chair"],
            "meeting_attendance": decision["attendance"],
            "decision": DecisionOption.objects.get(code=decision["decision"]),
            **spec.get("figures", {}),
            "not_stated": spec.get("not_stated", []),
        },
    )
    for item in spec["attachments"]:
        path = DEMO_ATTACHMENTS_DIR / item["file"]
        data, file_type = evidence.validate_upload(
            item["name"], path.stat().st_size, path.read_bytes
        )
        evidence.attachment_add(
            assessment=assessment,
            actor=author,
            section=item["section"],
            activity=activities[item["activity"] - 1] if item["activity"] else None,
            name=item["name"],
            data=data,
            file_type=file_type,
        )
