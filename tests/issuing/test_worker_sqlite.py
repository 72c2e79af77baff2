"""The embedded default, as `make run` has it: the SQLite file, the demo data and workers
in their own processes. Two workers issue every demo report at once while a third process
keeps writing (as web requests do); nothing is refused with "database is locked", no issue
fails, and each unit's numbers count up without a gap."""

import os
import sqlite3
import subprocess
import sys
from collections import defaultdict
from subprocess import PIPE

from django.conf import settings

WRITER = """
import time
from assessments.models import AuditAction
from assessments.services.audit import audit_record
for n in range(60):
    audit_record(action=AuditAction.LOGIN, username=f"writer-{n}", detail="sqlite test")
    time.sleep(0.05)
"""


def manage(env, *args, timeout=600):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def test_two_sqlite_workers_issue_every_demo_report_beside_a_writing_process(tmp_path, test_pki):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(
        DJANGO_SETTINGS_MODULE="zhoucun_risk.settings.dev",
        ZHOUCUN_VAR_DIR=str(tmp_path),
        ZHOUCUN_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    # The session's CA and its TSA (always up): a development CA's TSA would need
    # `run_dev_pki` on its fixed port.
    env.update(
        ZHOUCUN_SIGNING_P12=str(test_pki["p12"]),
        ZHOUCUN_SIGNING_P12_PASSWORD=test_pki["password"],
        ZHOUCUN_TRUST_ROOTS=str(test_pki["root"]),
        ZHOUCUN_TSA_URL=f"{test_pki['url']}/tsa",
    )
    manage(env, "migrate", "-v0")
    manage(env, "create_dev_ca")
    manage(env, "load_demo")
    database = tmp_path / "db.sqlite3"
    with sqlite3.connect(database) as db:
        queued = db.execute("SELECT count(*) FROM assessments_assessment WHERE status = 'approved'")
        (approved,) = queued.fetchone()
    assert approved >= 3, "the demo should leave its reports to the worker"

    command = [sys.executable, "manage.py"]
    options = dict(cwd=settings.BASE_DIR, env=env, stdout=PIPE, stderr=PIPE, text=True)
    workers = [
        subprocess.Popen([*command, "worker", "--batch", "--no-startup-delay"], **options)
        for _ in range(2)
    ]
    writer = subprocess.Popen([*command, "shell", "-c", WRITER], **options)
    results = [process.communicate(timeout=600) for process in (*workers, writer)]
    for process, (out, err) in zip((*workers, writer), results, strict=True):
        assert process.returncode == 0, out + err
        assert "database is locked" not in out + err

    with sqlite3.connect(database) as db:
        statuses = dict(
            db.execute("SELECT status, count(*) FROM assessments_assessment GROUP BY status")
        )
        failures = db.execute("SELECT count(*) FROM assessments_issuefailure").fetchone()[0]
        issued = db.execute(
            "SELECT a.owner_unit_id, r.report_number FROM assessments_signedreport r "
            "JOIN assessments_assessment a ON a.id = r.assessment_id"
        ).fetchall()
        prefixes = dict(db.execute("SELECT id, report_prefix FROM assessments_unit"))
        written = db.execute(
            "SELECT count(*) FROM assessments_auditevent WHERE detail = 'sqlite test'"
        ).fetchone()[0]
    assert "approved" not in statuses, statuses
    assert failures == 0
    assert len(issued) >= approved
    assert written == 60
    by_unit = defaultdict(list)
    for unit_id, number in issued:
        prefix = prefixes[unit_id]
        assert number.startswith(prefix), number
        by_unit[unit_id].append(int(number.rsplit("〕", 1)[1].removesuffix("号")))
    for unit_id, taken in by_unit.items():
        assert sorted(taken) == list(range(1, len(taken) + 1)), (unit_id, taken)
