"""`/healthz`: 200 when all is well, 503 naming the failing part, nothing sensitive shown."""

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.issuing.tasks import issue_report_task
from assessments.models import WorkerHeartbeat
from tests.issuing.test_worker import DB_QUEUE, needs_postgresql, start_worker, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_queue():
    with override_settings(TASKS=DB_QUEUE):
        yield


def beat(seconds_ago: float, **fields) -> WorkerHeartbeat:
    return WorkerHeartbeat.objects.create(
        worker_id=fields.pop("worker_id", f"w{seconds_ago}"),
        hostname=fields.pop("hostname", "worker-host"),
        pid=fields.pop("pid", 4242),
        beat_at=timezone.now() - timedelta(seconds=seconds_ago),
        **fields,
    )


def health(client):
    response = client.get(reverse("healthz"))
    return response.status_code, json.loads(response.content)


def test_all_well_is_200_without_login_or_secrets(db_queue, client):
    beat(2, hostname="db-secret-host.bureau.internal", worker_id="secret-worker-id")

    response = client.get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "storage", "queue", "worker", "tsa"}
    assert body["checks"]["worker"]["alive"] == 1
    assert body["checks"]["queue"] == {**body["checks"]["queue"], "ready": 0, "ok": True}
    text = response.content.decode()
    assert "secret" not in text and "4242" not in text
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_a_worker_silent_for_a_minute_is_503_naming_the_worker(db_queue, client):
    beat(61)

    status, body = health(client)

    assert status == 503
    assert body["status"] == "fail"
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"]["alive"] == 0
    assert body["checks"]["worker"]["last_beat_seconds"] >= 61

    beat(50, worker_id="another")  # a second worker is fine
    assert health(client)[0] == 200


def test_no_worker_at_all_is_503(db_queue, client):
    assert health(client)[1]["failing"] == ["worker"]


@override_settings(ZHOUCUN_WORKER_SILENT_SECONDS=5)
def test_the_silence_limit_is_configurable(db_queue, client):
    beat(6)
    assert health(client)[1]["failing"] == ["worker"]


def test_a_worker_stuck_in_one_task_is_not_alive(db_queue, client):
    beat(1, task_started_at=timezone.now() - timedelta(minutes=11))
    assert health(client)[1]["failing"] == ["worker"]


def test_issuing_in_the_request_needs_no_worker(client):
    status, body = health(client)  # the test settings' ImmediateBackend
    assert status == 200
    assert "worker" not in body["checks"]


def test_a_task_waiting_too_long_is_503_naming_the_queue(db_queue, client):
    beat(1)
    issue_report_task.enqueue(12345)
    # Deferred to the future: not ready, so not waiting.
    issue_report_task.using(run_after=timezone.now() + timedelta(hours=1)).enqueue(1)
    assert health(client)[0] == 200

    DBTaskResult.objects.filter(run_after__gt=timezone.now() + timedelta(days=365)).update(
        enqueued_at=timezone.now() - timedelta(minutes=6)
    )
    status, body = health(client)

    assert status == 503
    assert body["failing"] == ["queue"]
    assert body["checks"]["queue"]["ready"] == 1
    assert body["checks"]["queue"]["oldest_ready_seconds"] >= 360


def test_unwritable_storage_is_503_naming_the_storage(db_queue, client, tmp_path):
    beat(1)
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("x")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(not_a_directory)},
        },
    }
    with override_settings(STORAGES=storages):
        status, body = health(client)

    assert status == 503
    assert body["failing"] == ["storage"]


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (http://127.0.0.1)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_database_down_is_503_naming_the_database_through_gunicorn():
    """The production gunicorn configuration, with a database that refuses connections."""
    port = 18120
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=settings.BASE_DIR,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.test",
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": "1",
            "ZHOUCUN_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "ZHOUCUN_TSA_URL": settings.ZHOUCUN_TSA_URL,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:

        def answer():
            try:
                return get_json(f"http://127.0.0.1:{port}/healthz")
            except OSError:
                # Not serving yet: refused, reset, or a socket timeout while a loaded
                # machine's worker still imports Django (URLError and TimeoutError alike).
                return None

        status, body = wait_for(answer, 30, "gunicorn to answer")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log = server.stdout.read()

    assert status == 503, log
    assert body["failing"] == ["database"]
    assert body["checks"]["storage"]["ok"] is True
    # Nothing of the error reaches the answer; the log has it.
    assert "127.0.0.1:1" not in json.dumps(body) and "nobody" not in json.dumps(body)
    assert "Health check database failed" in log
    # gunicorn.conf.py's access log line: request, status, milliseconds.
    assert '"GET /healthz HTTP/1.1" 503' in log and "ms " in log


@needs_postgresql
@pytest.mark.django_db(transaction=True)
@override_settings(ZHOUCUN_WORKER_SILENT_SECONDS=2)
def test_a_killed_worker_turns_health_to_503(db_queue, client, test_pki):
    worker = start_worker(test_pki)
    try:
        wait_for(lambda: WorkerHeartbeat.objects.exists(), 20, "the first heartbeat")
        assert health(client)[0] == 200
        worker.kill()  # no goodbye: its heartbeat row stays and goes stale
        worker.wait()
        time.sleep(3)
        status, body = health(client)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert status == 503
    assert body["failing"] == ["worker"]


def test_the_tsa_is_asked_at_most_once_a_minute_however_often_health_is_polled(db_queue, client):
    from unittest import mock

    from assessments.ops import health

    health._tsa_answers.clear()
    with mock.patch.object(health.sign, "probe_tsa") as probe:
        for _ in range(5):
            assert client.get(reverse("healthz")).json()["checks"]["tsa"]["ok"] is True
        assert probe.call_count == 1
        later = time.monotonic() + health.TSA_PROBE_CACHE_SECONDS
        with mock.patch.object(health.time, "monotonic", return_value=later):
            client.get(reverse("healthz"))
        assert probe.call_count == 2
