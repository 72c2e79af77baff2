"""Signed reports in storage: written once under their hash, re-hashed on every download."""

import hashlib
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from assessments.demo import load_demo, load_demo_spec
from assessments.issuing import tasks
from assessments.models import Assessment, AuditAction, AuditEvent, SignedReport
from assessments.reports import storage

REFERENCE_PROJECT = "《周村区新型智慧城市顶层设计》"


@pytest.fixture
def report_root(settings, tmp_path):
    """A storage of its own, on disk as in production."""
    root = tmp_path / "reports"
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def issued(db, report_root) -> SignedReport:
    load_demo(passwords={u["username"]: "Demo-pass-1" for u in load_demo_spec()["users"]})
    assessment = Assessment.objects.get(project_name=REFERENCE_PROJECT)
    return tasks.issue_report(assessment_id=assessment.pk)


@pytest.fixture
def clerk_client(client, issued):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="clerk"))
    return client


def download(client, report):
    return client.get(reverse("assessments:download", args=[report.assessment_id]))


def test_the_signed_pdf_is_stored_once_under_its_sha256(issued, report_root):
    path = report_root / issued.sha256[:2] / f"{issued.sha256}.pdf"

    assert path.is_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == issued.sha256
    assert path.read_bytes().startswith(b"%PDF-")
    assert [f.name for f in SignedReport._meta.get_fields() if f.name == "pdf"] == []


def test_storing_the_same_bytes_again_is_harmless_and_other_bytes_are_refused(issued):
    data = storage.read_report_bytes(issued.sha256)

    assert storage.store_report(data) == issued.sha256
    target = storage.report_storage()
    name = storage.report_name(issued.sha256)
    target.delete(name)
    target.save(name, ContentFile(b"%PDF- other bytes"))
    with pytest.raises(storage.ReportFileConflict):
        storage.store_report(data)


def test_a_download_sends_the_stored_file_and_audits_the_hash_of_what_was_sent(
    clerk_client, issued
):
    response = download(clerk_client, issued)

    assert response.status_code == 200
    sent = hashlib.sha256(response.content).hexdigest()
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert event.success and event.detail == f"{issued.report_number} sha256={sent}"
    assert sent == issued.sha256


def test_an_altered_stored_report_is_refused_audited_and_alerted(
    clerk_client, issued, report_root, caplog
):
    path = report_root / storage.report_name(issued.sha256)
    altered = bytearray(path.read_bytes())
    altered[len(altered) // 2] ^= 0x01
    path.write_bytes(bytes(altered))
    altered_hash = hashlib.sha256(altered).hexdigest()

    with caplog.at_level(logging.ERROR, logger="assessments.views.reports"):
        response = download(clerk_client, issued)

    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/html")
    assert bytes(altered) not in response.content
    assert "已被改动或损坏" in response.text
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert not event.success
    assert issued.sha256 in event.detail and altered_hash in event.detail
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "\n" not in errors[0].getMessage()
    assert issued.report_number in errors[0].getMessage()


def test_a_missing_stored_report_is_refused_and_audited(clerk_client, issued, report_root):
    (report_root / storage.report_name(issued.sha256)).unlink()

    response = download(clerk_client, issued)

    assert response.status_code == 503
    assert "找不到" in response.text
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert not event.success and "stored=missing" in event.detail


def test_reports_check_is_quiet_when_all_is_well(issued, capsys):
    call_command("reports_check")

    out = capsys.readouterr().out
    assert "1 reports, 1 stored files: 0 missing, 0 mismatched, 0 orphans." in out


def test_reports_check_lists_orphans_mismatches_and_missing_files(issued, report_root, capsys):
    orphan = storage.store_report(b"%PDF-1.7 left by a rolled-back issue %%EOF")
    path = report_root / storage.report_name(issued.sha256)
    path.write_bytes(path.read_bytes() + b"\n% appended")

    with pytest.raises(CommandError) as refused:
        call_command("reports_check")

    assert refused.value.returncode == 1
    out = capsys.readouterr().out
    assert f"MISMATCH  {issued.report_number}" in out
    assert f"ORPHAN    {storage.report_name(orphan)}" in out

    path.unlink()
    with pytest.raises(CommandError):
        call_command("reports_check")
    assert f"MISSING   {issued.report_number}" in capsys.readouterr().out


def test_the_admin_shows_a_report_without_opening_its_file(client, issued, monkeypatch):
    from django.contrib.auth import get_user_model

    def refuse(*args, **kwargs):
        raise AssertionError("the admin opened a report file")

    monkeypatch.setattr(storage, "read_report_bytes", refuse)
    monkeypatch.setattr(type(storage.report_storage()), "open", refuse)
    client.force_login(get_user_model().objects.get(username="admin"))

    listing = client.get(reverse("admin:assessments_signedreport_changelist"))
    page = client.get(reverse("admin:assessments_signedreport_change", args=[issued.pk]))

    assert listing.status_code == page.status_code == 200
    assert storage.report_name(issued.sha256) in page.text


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_stored_blob_into_storage_and_back(report_root, draft, assessor):
    """Reports stored in the database before 0009 end up in storage, byte for byte."""
    target = ("assessments", "0009_report_files")
    executor = MigrationExecutor(connection)
    before = executor.loader.graph.node_map[target].parents
    parent = next(node.key for node in before if node.key[0] == "assessments")
    leaves = executor.loader.graph.leaf_nodes("assessments")
    executor.migrate([parent])
    try:
        old = MigrationExecutor(connection).loader.project_state(parent).apps
        # The models as they stood then: later migrations add columns (Version.outline).
        version = old.get_model("assessments", "Version").objects.create(
            assessment_id=draft.pk, number=1, content={}, created_by_id=assessor.pk
        )
        blob = b"%PDF-1.7 signed bytes %%EOF"
        OldReport = old.get_model("assessments", "SignedReport")
        OldReport.objects.create(
            assessment_id=draft.pk,
            version_id=version.pk,
            report_number="稳评〔2026〕9号",
            approved_by_id=assessor.pk,
            pdf=blob,
            sha256=hashlib.sha256(blob).hexdigest(),
            signed_at="2026-01-01T00:00:00Z",
            signer="测试",
            certificate_fingerprint="00",
            verification_token="t",
        )

        executor = MigrationExecutor(connection)
        executor.migrate([target])

        report = SignedReport.objects.get(report_number="稳评〔2026〕9号")
        assert storage.read_report_bytes(report.sha256) == blob

        MigrationExecutor(connection).migrate([parent])  # and back: the file returns to the row
        assert bytes(OldReport.objects.get().pdf) == blob
    finally:
        MigrationExecutor(connection).migrate(leaves)
