"""Signed reports and evidence files on a real S3-compatible server (moto, tests/ops/s3.py),
through django-storages as the settings configure it; and a backup taken from one bucket
restored into an empty database and an empty bucket."""

import hashlib
import io
import secrets

import pytest
from django.core.management import call_command

from assessments.models import Attachment, SignedReport
from assessments.reports import storage
from assessments.services import evidence
from tests.ops import s3
from tests.ops.test_backup import issue_demo, manage, png


@pytest.fixture
def bucket(db, settings, s3_server, monkeypatch):
    """Reports and evidence files of this test in a bucket of their own."""
    for name, value in s3.CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = s3_server.new_bucket()
    settings.STORAGES = {**settings.STORAGES, **s3_server.storages(name)}
    return name


def test_a_report_and_an_evidence_file_are_kept_on_s3_and_read_back_rehashed(bucket, s3_server):
    report = b"%PDF-1.7\n" + secrets.token_bytes(64)
    digest = storage.store_report(report)
    sha256, name = evidence.store(png())

    objects = s3_server.objects(bucket)
    assert objects == {f"reports/{storage.report_name(digest)}": report, f"evidence/{name}": png()}
    assert storage.read_report_bytes(digest) == report
    assert storage.store_report(report) == digest  # the same bytes twice: stored once
    assert list(storage.iter_stored_hashes()) == [(storage.report_name(digest), digest)]
    assert evidence.read_verified(sha256) == png()


def test_other_bytes_under_a_stored_report_name_are_refused_and_not_overwritten(bucket, s3_server):
    report = b"%PDF-1.7\n" + secrets.token_bytes(64)
    digest = hashlib.sha256(report).hexdigest()
    key = f"reports/{storage.report_name(digest)}"
    s3_server.client().put_object(Bucket=bucket, Key=key, Body=b"something else")

    with pytest.raises(storage.ReportFileConflict):
        storage.store_report(report)
    assert s3_server.objects(bucket) == {key: b"something else"}


def test_a_backup_from_s3_restores_into_an_empty_database_and_bucket_all_verified(
    bucket, s3_server, empty_database, tmp_path, test_pki
):
    issued = issue_demo()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    target = s3_server.new_bucket()
    env = {
        "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.dev",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(30),
        "DATABASE_URL": empty_database,
        "ZHOUCUN_VAR_DIR": str(tmp_path / "var"),
        "ZHOUCUN_TRUST_ROOTS": str(tmp_path / "pki" / "root.pem"),
        **s3_server.environment(target),
    }

    result = manage("restore", str(archive), env=env)

    assert result.returncode == 0, result.stderr
    files = Attachment.objects.values("file").distinct().count()
    reports = SignedReport.objects.count()
    assert (reports, files) == (1, 3)  # the demo's two evidence files and the one added
    assert (
        f"{reports} reports, {reports} verified, {reports} files, "
        f"{files} evidence files, {files} verified, 0 problems"
    ) in result.stdout
    source = s3_server.objects(bucket)
    assert s3_server.objects(target) == source
    assert f"reports/{storage.report_name(issued.sha256)}" in source
    check = manage("reports_check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr

    again = manage("restore", str(archive), env=env)
    assert again.returncode != 0
    assert "not empty" in again.stderr
