"""Issuing in a worker: approval only queues, the page polls, failures are retried, then shown.

The first tests run django-tasks-db's worker loop in this process (`db_worker --batch`), so
they work on SQLite too. The last one starts `manage.py worker` as a real process against the
PostgreSQL test database (SQLite's test database lives in this process's memory).
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from assessments.issuing.progress import MAX_POLLS
from assessments.issuing.tasks import approve_and_issue, issue_report_task
from assessments.models import IssueFailure, SignedReport, Status, WorkerHeartbeat
from assessments.services import workflow

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def db_queue():
    with override_settings(TASKS=DB_QUEUE, ZHOUCUN_ISSUE_RETRY_DELAYS=[5, 30]):
        yield


@pytest.fixture
def submitted(complete_draft, assessor):
    workflow.assessment_submit(assessment=complete_draft, actor=assessor)
    complete_draft.refresh_from_db()
    return complete_draft


@pytest.fixture
def approve(reviewer, django_capture_on_commit_callbacks):
    """Approve as the reviewer; the issue is queued when the approval commits."""

    def approve(assessment):
        with django_capture_on_commit_callbacks(execute=True):
            approve_and_issue(assessment=assessment, actor=reviewer)

    return approve


def run_worker_once():
    """What a worker does with the queue as it stands: every ready task, then exit.

    Inside the test's transaction the worker must not close the connection (it would, as
    between requests, seeing autocommit off), or the test's data would be gone."""
    with mock.patch.object(db_worker, "close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def pending_tasks(assessment):
    return DBTaskResult.objects.filter(
        task_path=issue_report_task.module_path,
        status=TaskResultStatus.READY,
        args_kwargs__args__0=assessment.pk,
    )


def status_panel(client, assessment, **params):
    url = reverse("assessments:issue_status", kwargs={"pk": assessment.pk})
    return client.get(url, params, headers={"HX-Request": "true"})


def retry_form(assessment) -> str:
    return f'action="{reverse("assessments:retry_issue", kwargs={"pk": assessment.pk})}"'


def make_due(assessment):
    """Let the scheduled retry's time come without waiting for it."""
    pending_tasks(assessment).update(run_after=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_approval_queues_the_issue_the_page_polls_then_shows_the_download(
    db_queue, client, submitted, reviewer, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:approve", kwargs={"pk": submitted.pk}), {"version": "1"}
        )
    assert response.status_code == 302

    # Approved and queued, nothing rendered yet: the request did not wait for the PDF.
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    assert not SignedReport.objects.exists()
    assert pending_tasks(submitted).count() == 1

    page = client.get(reverse("assessments:detail", kwargs={"pk": submitted.pk})).content.decode()
    poll_url = reverse("assessments:issue_status", kwargs={"pk": submitted.pk})
    assert "签发中" in page
    assert f'hx-get="{poll_url}?polls=1"' in page
    assert 'hx-trigger="every 2s"' in page
    assert 'data-state="queued"' in page
    # Nothing to retry while a worker has it queued.
    assert retry_form(submitted) not in page

    polled = status_panel(client, submitted, polls=1).content.decode()
    assert f'hx-get="{poll_url}?polls=2"' in polled

    run_worker_once()

    submitted.refresh_from_db()
    assert submitted.status == Status.ISSUED
    panel = status_panel(client, submitted, polls=2).content.decode()
    assert reverse("assessments:download", kwargs={"pk": submitted.pk}) in panel
    assert SignedReport.objects.get().report_number in panel
    assert "hx-trigger" not in panel  # polling stops
    # The status badge at the top of the page is swapped too.
    assert 'id="assessment-status" hx-swap-oob="true"' in panel
    assert "已签发" in panel


@pytest.mark.django_db
def test_a_failing_issue_is_retried_with_backoff_then_shown_with_the_retry_button(
    db_queue, client, submitted, reviewer, approve, tmp_path
):
    client.force_login(reviewer)
    broken = override_settings(ZHOUCUN_SIGNING_P12=str(tmp_path / "missing.p12"))
    broken.enable()
    try:
        approve(submitted)
        run_worker_once()

        # Attempt 1 failed; attempt 2 waits 5 s.
        assert IssueFailure.objects.filter(assessment=submitted).count() == 1
        retry = pending_tasks(submitted).get()
        assert retry.args_kwargs["args"] == [submitted.pk, 2]
        delay = (retry.run_after - timezone.now()).total_seconds()
        assert 3 < delay <= 5
        panel = status_panel(client, submitted).content.decode()
        assert 'data-state="retry"' in panel
        assert "第 1 次签发失败" in panel
        assert "hx-trigger" in panel
        assert retry_form(submitted) not in panel

        # Not before its time: the worker leaves it.
        run_worker_once()
        assert IssueFailure.objects.filter(assessment=submitted).count() == 1

        make_due(submitted)
        run_worker_once()
        retry = pending_tasks(submitted).get()
        assert retry.args_kwargs["args"] == [submitted.pk, 3]
        assert 25 < (retry.run_after - timezone.now()).total_seconds() <= 30

        make_due(submitted)
        run_worker_once()
    finally:
        broken.disable()

    # Three attempts failed, the delays are used up: nothing more is queued, the reviewer
    # sees the failure and the button, and no longer polls.
    assert IssueFailure.objects.filter(assessment=submitted).count() == 3
    assert not pending_tasks(submitted).exists()
    submitted.refresh_from_db()
    assert submitted.status == Status.APPROVED
    page = client.get(reverse("assessments:detail", kwargs={"pk": submitted.pk})).content.decode()
    retry_url = reverse("assessments:retry_issue", kwargs={"pk": submitted.pk})
    assert 'data-state="failed"' in page
    assert "签发报告失败" in page
    assert retry_form(submitted) in page
    assert "hx-trigger" not in page

    # With the certificate back, the button queues it and a worker issues it.
    response = client.post(retry_url, follow=True)
    assert "已加入签发队列" in response.content.decode()
    run_worker_once()
    submitted.refresh_from_db()
    assert submitted.status == Status.ISSUED


@pytest.mark.django_db
def test_a_second_task_for_an_issued_assessment_changes_nothing(db_queue, submitted, approve):
    approve(submitted)
    run_worker_once()
    submitted.refresh_from_db()
    assert submitted.status == Status.ISSUED

    # A second task for it (a double click on the retry button) finds it issued: success,
    # nothing recorded as failed, nothing rescheduled.
    result = issue_report_task.enqueue(submitted.pk)
    run_worker_once()
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL
    assert not IssueFailure.objects.exists()
    assert not pending_tasks(submitted).exists()


@pytest.mark.django_db
def test_the_panel_stops_polling_after_ten_minutes(db_queue, client, submitted, reviewer, approve):
    approve(submitted)
    client.force_login(reviewer)

    panel = status_panel(client, submitted, polls=MAX_POLLS).content.decode()

    assert "hx-trigger" not in panel
    assert "签发时间比预期长" in panel


@pytest.mark.django_db
def test_a_lost_task_offers_the_retry_button(db_queue, client, submitted, reviewer, approve):
    approve(submitted)
    DBTaskResult.objects.all().delete()  # say, a restore from before the approval's task
    client.force_login(reviewer)

    panel = status_panel(client, submitted).content.decode()

    assert 'data-state="idle"' in panel
    assert retry_form(submitted) in panel
    assert "hx-trigger" not in panel


@pytest.mark.django_db
def test_the_status_panel_is_private(db_queue, client, submitted, approve, outsider):
    approve(submitted)

    anonymous = status_panel(client, submitted)
    assert anonymous.status_code == 302
    assert reverse("login") in anonymous["Location"]

    client.force_login(outsider)
    assert status_panel(client, submitted).status_code == 404
    assert (
        client.post(reverse("assessments:issue_status", kwargs={"pk": submitted.pk})).status_code
        == 405
    )


def worker_env(test_pki, **extra) -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.test",
        "DATABASE_URL": url,
        "ZHOUCUN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "ZHOUCUN_SIGNING_P12": str(test_pki["p12"]),
        "ZHOUCUN_SIGNING_P12_PASSWORD": test_pki["password"],
        "ZHOUCUN_TRUST_ROOTS": str(test_pki["root"]),
        "ZHOUCUN_TSA_URL": f"{test_pki['url']}/tsa",
        **extra,
    }


WORKER_OPTIONS = ["--no-reload", "--no-startup-delay", "--interval", "0.2"]


def start_worker(test_pki, **extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", *WORKER_OPTIONS],
        cwd=settings.BASE_DIR,
        env=worker_env(test_pki, ZHOUCUN_WORKER_HEARTBEAT_SECONDS="1", **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker process needs a database it can reach; SQLite's test database is "
    "in this process's memory (run with DATABASE_URL=postgres://…)",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_issues_beats_and_stops_cleanly(
    db_queue, test_pki, client, submitted, reviewer
):
    assessment = submitted
    worker = start_worker(test_pki)
    try:
        beat = wait_for(lambda: WorkerHeartbeat.objects.first(), 20, "the first heartbeat")
        assert beat.pid == worker.pid

        client.force_login(reviewer)
        started = time.monotonic()
        client.post(reverse("assessments:approve", kwargs={"pk": assessment.pk}), {"version": 1})
        wait_for(
            lambda: SignedReport.objects.filter(assessment=assessment).exists(),
            20,
            "the worker to issue the report",
        )
        issued_after = time.monotonic() - started
        assert issued_after < 15, issued_after

        # The heartbeat moves on and counts the task.
        wait_for(
            lambda: WorkerHeartbeat.objects.filter(tasks_done=1, beat_at__gt=beat.beat_at).exists(),
            5,
            "a heartbeat after the task",
        )
        assert WorkerHeartbeat.objects.get().rss_kib > 10_000

        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
        # A worker that stopped cleanly is gone, not silent.
        assert not WorkerHeartbeat.objects.exists()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        output = worker.stdout.read()
    assert "state=SUCCESSFUL" in output, output


def test_the_default_backend_is_the_database_queue_and_bad_delays_stop_start_up():
    from tests.test_settings import PRODUCTION, django_setting

    backend = django_setting("zhoucun_risk.settings.prod", "TASKS", **PRODUCTION)
    assert "django_tasks_db.DatabaseBackend" in backend.stdout, backend.stderr

    bad = django_setting(
        "zhoucun_risk.settings.prod",
        "ZHOUCUN_ISSUE_RETRY_DELAYS",
        **PRODUCTION,
        ZHOUCUN_ISSUE_RETRY_DELAYS="5,soon",
    )
    assert bad.returncode != 0
    assert "ZHOUCUN_ISSUE_RETRY_DELAYS must be whole seconds" in bad.stderr
