"""Backup and restore: one archive rebuilds an empty installation whose signatures verify."""

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from assessments.common import files
from assessments.demo import load_demo, load_demo_spec
from assessments.issuing import tasks
from assessments.models import Assessment, Attachment, Seal, attachment_storage
from assessments.ops import backup
from assessments.reports import storage
from assessments.services import evidence

ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture
def issued(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "reports")},
        },
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }
    return issue_demo()


def issue_demo():
    """The demo installation, its reference report issued and one more evidence file added."""
    load_demo(passwords={u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]})
    reference = Assessment.objects.get(project_name="《周村区新型智慧城市顶层设计》")
    report = tasks.issue_report(assessment_id=reference.pk)
    add_evidence(Assessment.objects.exclude(pk=reference.pk).filter(status="draft").first())
    return report


def add_evidence(assessment, data: bytes = b"") -> Attachment:
    return evidence.attachment_add(
        assessment=assessment,
        actor=assessment.author,
        section="material",
        activity=None,
        name="会议纪要.png",
        data=data or png(),
        file_type=files.PNG,
    )


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def archive(issued, tmp_path) -> Path:
    path = tmp_path / "backup.tar.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    """A command run as an operator would, in a process configured only by `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ZHOUCUN_"))}
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def new_installation(restored: Path, database_url: str) -> dict:
    """The environment of a new, empty installation under `restored`, as an operator sets
    one up to restore into."""
    return {
        "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.dev",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(30),
        "DATABASE_URL": database_url,
        "ZHOUCUN_VAR_DIR": str(restored / "var"),
        "ZHOUCUN_REPORTS_ROOT": str(restored / "reports"),
        "ZHOUCUN_ATTACHMENTS_DIR": str(restored / "attachments"),
        "ZHOUCUN_TRUST_ROOTS": str(restored / "pki" / "root.pem"),
    }


def test_a_backup_restores_into_an_empty_installation_and_every_signature_verifies(
    archive, issued, empty_database, tmp_path, test_pki
):
    restored = tmp_path / "restored"
    env = new_installation(restored, empty_database)

    result = manage("restore", str(archive), env=env)

    assert result.returncode == 0, result.stderr
    files = Attachment.objects.values("file").distinct().count()
    assert files >= 1
    assert (
        f"1 reports, 1 verified, 1 files, {files} evidence files, {files} verified, 0 problems"
        in (result.stdout)
    )
    assert (restored / "pki" / "root.pem").read_bytes() == test_pki["root"].read_bytes()
    stored = restored / "reports" / storage.report_name(issued.sha256)
    assert stored.read_bytes() == storage.read_report_bytes(issued.sha256)
    for attachment in Attachment.objects.all():
        restored_file = restored / "attachments" / attachment.file.name
        assert restored_file.read_bytes() == attachment_storage().open(attachment.file.name).read()
    seals = manage("shell", "--no-imports", "-c", SEALS, env=env)
    assert seals.returncode == 0, seals.stderr
    assert seals.stdout.split() == [
        f"{s.unit.code}:{hashlib.sha256(bytes(s.image)).hexdigest()}"
        for s in Seal.objects.select_related("unit").order_by("unit__code")
    ]
    kept = manage("shell", "--no-imports", "-c", TALLIES_KEPT, env=env)
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.split() == ["True", "True"]
    check = manage("reports_check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "1 reports, 1 stored files: 0 missing" in check.stdout

    again = manage("restore", str(archive), env=env)
    assert again.returncode != 0
    assert "not empty" in again.stderr


def test_a_backup_restores_across_sqlite_and_postgresql(archive, issued, other_database, tmp_path):
    """An archive written on one kind of database loads into the other, every row and file
    verified: the tables travel as plain values, not as one database's dump."""
    env = new_installation(tmp_path / "other", other_database)

    result = manage("restore", str(archive), env=env)

    assert result.returncode == 0, result.stderr
    files = Attachment.objects.values("file").distinct().count()
    assert f"1 reports, 1 verified, 1 files, {files} evidence files, {files} verified" in (
        result.stdout
    )
    counted = manage("shell", "--no-imports", "-c", COUNTS, env=env)
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout) == json.loads(counts())


COUNTS = (
    "import json\n"
    "from assessments.ops.backup import dumped_models\n"
    "print(json.dumps({m._meta.label_lower: m._base_manager.count() for m in dumped_models()"
    " if m._meta.app_label == 'assessments'}))"
)


def counts() -> str:
    from assessments.ops.backup import dumped_models

    return json.dumps(
        {
            m._meta.label_lower: m._base_manager.count()
            for m in dumped_models()
            if m._meta.app_label == "assessments"
        }
    )


# After a restore the dashboard's counts are the assessments' and still kept by the triggers
# (paused for the load on PostgreSQL): a new assessment counts.
TALLIES_KEPT = (
    "from django.db.models import Sum\n"
    "from assessments.models import Assessment, AssessmentTally\n"
    "def tallied(): return AssessmentTally.objects.aggregate(n=Sum('count'))['n']\n"
    "before = tallied()\n"
    "print(before == Assessment.objects.count())\n"
    "one = Assessment.objects.order_by('pk').first()\n"
    "one.pk = None\n"
    "one.save()\n"
    "print(tallied() == before + 1)\n"
)

SEALS = (
    "import hashlib\n"
    "from assessments.models import Seal\n"
    "for s in Seal.objects.select_related('unit').order_by('unit__code'):\n"
    "    print(f'{s.unit.code}:{hashlib.sha256(bytes(s.image)).hexdigest()}')"
)


def test_the_archive_holds_a_manifest_of_every_member_in_order(archive, issued):
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        lines = tar.extractfile("manifest.jsonl").read().decode().splitlines()
        hashes = {m.name: hashlib.sha256(tar.extractfile(m).read()).hexdigest() for m in tar}
    header, *entries = (json.loads(line) for line in lines)

    assert names[-1] == "manifest.jsonl"
    assert [e["name"] for e in entries] == names[:-1]
    assert all(hashes[e["name"]] == e["sha256"] for e in entries)
    assert header["members"] == len(entries)
    assert header["reports"] == 1
    assert header["attachments"] == Attachment.objects.values("file").distinct().count()
    assert {"db/assessments.assessment.jsonl", "trust-roots/root.pem"} <= set(names)
    assert f"reports/{storage.report_name(issued.sha256)}" in names
    assert {a.file.name for a in Attachment.objects.all()} <= set(names)


def rewrite(archive: Path, change) -> Path:
    """A copy of the archive with one member's bytes changed and the manifest kept."""
    changed = archive.with_name("changed.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(changed, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return changed


def test_a_changed_archive_is_refused_before_anything_is_written(archive, issued):
    def flip(name, data):
        if name.startswith("reports/"):
            data = bytearray(data)
            data[100] ^= 0x01
        return bytes(data)

    with pytest.raises(CommandError, match="not intact: changed since the backup: reports/"):
        call_command("restore", str(rewrite(archive, flip)), stdout=io.StringIO())


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("attachments/", "changed since the backup: attachments/"),
        ("db/assessments.assessment", "changed since the backup: db/assessments.assessment"),
    ],
)
def test_a_changed_evidence_file_or_table_is_refused(archive, issued, member, message):
    def flip(name, data):
        if name.startswith(member):
            data = data.replace(b"1", b"2", 1) if name.startswith("db/") else data + b"x"
        return data

    with pytest.raises(CommandError, match=f"not intact: {message}"):
        call_command("restore", str(rewrite(archive, flip)), stdout=io.StringIO())


def test_an_archive_without_its_manifest_or_with_a_member_dropped_is_refused(archive, tmp_path):
    def without(dropped):
        target = tmp_path / f"without-{dropped.replace('/', '_')}.tar.gz"
        with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
            for member in source:
                if not member.name.startswith(dropped):
                    out.addfile(member, source.extractfile(member))
        return target

    with pytest.raises(CommandError, match=r"has no manifest\.jsonl"):
        call_command("restore", str(without("manifest")), stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"not where the manifest lists it|missing from"):
        call_command("restore", str(without("trust-roots/")), stdout=io.StringIO())


def test_a_restore_into_an_installation_in_use_is_refused(archive):
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())


def test_a_backup_names_a_stored_report_that_was_altered(issued, tmp_path):
    target = storage.report_storage()
    name = storage.report_name(issued.sha256)
    data = storage.read_report_bytes(issued.sha256)
    target.delete(name)
    target.save(name, io.BytesIO(data + b"\n% changed"))

    with pytest.raises(CommandError) as failed:
        call_command("backup", str(tmp_path / "b.tar.gz"), stdout=io.StringIO())

    assert failed.value.returncode == 1
    assert (tmp_path / "b.tar.gz").is_file()  # written anyway: the rest is still worth having


def test_a_backup_never_overwrites_a_file(issued, tmp_path):
    existing = tmp_path / "b.tar.gz"
    existing.write_bytes(b"keep me")

    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(existing), stdout=io.StringIO())
    assert existing.read_bytes() == b"keep me"


SWAP_AFTER_CHECK = """
import shutil
from django.core.management import call_command
from assessments.ops import backup

checked_once = backup.check_archive


def check_then_swap(path, spool):
    checked = checked_once(path, spool)
    shutil.copy({changed!r}, path)  # the archive changes once it has been checked
    return checked


backup.check_archive = check_then_swap
call_command("restore", {archive!r})
"""


def test_a_table_changed_between_the_check_and_the_load_is_refused_and_nothing_restored(
    archive, issued, empty_database, tmp_path, test_pki
):
    """The archive is read twice (checked, then loaded): a table that is no longer the
    checked bytes when it is loaded rolls the load back."""
    with tempfile.TemporaryDirectory() as spool:
        _header, checked = backup.check_archive(archive, spool)
    assert "db/assessments.assessment.jsonl" in checked
    assert all(name.startswith(("db/", "trust-roots/")) for name in checked)

    def rename(name, data):
        if name == "db/assessments.assessment.jsonl":
            data = data.replace(
                "《周村区新型智慧城市顶层设计》".encode(), "《被改过的名称》".encode()
            )
        return data

    changed = rewrite(archive, rename)
    restored = tmp_path / "restored"
    env = new_installation(restored, empty_database)
    swapped = tmp_path / "swapped.tar.gz"
    swapped.write_bytes(archive.read_bytes())
    script = SWAP_AFTER_CHECK.format(archive=str(swapped), changed=str(changed))
    result = manage("shell", "--no-imports", "-c", script, env=env)

    assert result.returncode != 0
    assert "db/assessments.assessment.jsonl changed after the archive was checked" in result.stderr
    assert "Nothing was restored" in result.stderr
    count = manage("shell", "--no-imports", "-c", COUNT_ASSESSMENTS, env=env)
    assert count.returncode == 0, count.stderr
    assert count.stdout.split() == ["0"]


COUNT_ASSESSMENTS = "from assessments.models import Assessment; print(Assessment.objects.count())"
