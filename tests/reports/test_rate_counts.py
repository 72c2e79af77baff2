"""The /verify/ upload limit is one counter in the database: atomic across threads, processes
and machines, on PostgreSQL and SQLite alike, and old minutes are removed."""

import json
import os
import subprocess
import sys
import threading
import time
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments.models import RateCount
from assessments.reports import verify_bounds
from tests.issuing.test_worker import needs_postgresql, worker_env

HITS = """
import json, sys
from assessments.reports import verify_bounds
from django.conf import settings
settings.ZHOUCUN_VERIFY_RATE_PER_MINUTE = {limit}
print(json.dumps([verify_bounds.upload_allowed("10.1.1.1") for _ in range({hits})]))
"""


def clear_of_minute_boundary():
    """Counting runs within one minute: a test that began at :55 would count in two."""
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)


@pytest.mark.django_db
def test_counts_per_address_and_minute_and_forgets_old_minutes():
    now = 1_800_000_000.0
    with mock.patch("time.time", return_value=now):
        assert [RateCount.objects.hit("a") for _ in range(3)] == [1, 2, 3]
        assert RateCount.objects.hit("b") == 1
    with mock.patch("time.time", return_value=now + 60):
        assert RateCount.objects.hit("a") == 1  # a new minute starts from one
    # The minute just before is kept (its last seconds are still being counted elsewhere).
    assert RateCount.objects.count() == 3
    with mock.patch("time.time", return_value=now + 180):
        assert RateCount.objects.hit("a") == 1
    assert list(RateCount.objects.values_list("key", "count")) == [("a", 1)]


@pytest.mark.django_db
def test_the_limit_allows_exactly_n_then_refuses(settings, django_assert_num_queries):
    settings.ZHOUCUN_VERIFY_RATE_PER_MINUTE = 3
    clear_of_minute_boundary()

    answers = [verify_bounds.upload_allowed("10.0.0.1") for _ in range(5)]

    assert answers == [True, True, True, False, False]
    assert verify_bounds.upload_allowed(None)  # no address: one shared "unknown" key
    assert verify_bounds.upload_allowed("10.0.0.2")
    # Refused once, the address is refused for the rest of the minute without a write.
    assert RateCount.objects.get(key="verify-upload:10.0.0.1").count == 4
    with django_assert_num_queries(0):
        assert not verify_bounds.upload_allowed("10.0.0.1")


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_from_many_threads_are_allowed_exactly_n_times(settings, tmp_path):
    settings.ZHOUCUN_VERIFY_SLOTS_DIR = str(tmp_path / "slots")
    settings.ZHOUCUN_VERIFY_RATE_PER_MINUTE = 7
    threads, per_thread = 8, 4
    clear_of_minute_boundary()
    start = threading.Barrier(threads)
    statuses = []

    def uploads():
        client = Client()
        start.wait()
        try:
            for _ in range(per_thread):
                response = client.post(reverse("verify_upload"), {"pdf": ""})
                statuses.append(response.status_code)
        finally:
            connection.close()

    workers = [threading.Thread(target=uploads) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(statuses) == threads * per_thread
    assert statuses.count(429) == threads * per_thread - 7
    # Once refused, this process stops counting the address in the database.
    assert 7 < RateCount.objects.get().count < threads * per_thread


def count_in_processes(env: dict, *, processes: int, hits: int, limit: int) -> list[bool]:
    script = HITS.format(limit=limit, hits=hits)
    running = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    answers = []
    for process in running:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        answers += json.loads(out.strip().splitlines()[-1])
    return answers


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_processes_on_postgresql_share_one_limit(test_pki):
    clear_of_minute_boundary()

    answers = count_in_processes(worker_env(test_pki), processes=4, hits=25, limit=30)

    assert len(answers) == 100
    assert answers.count(True) == 30
    # Each process wrote until its first refusal, then refused without writing.
    assert 30 < RateCount.objects.get().count <= 34


def test_concurrent_processes_on_an_sqlite_file_share_one_limit(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="zhoucun_risk.settings.dev", ZHOUCUN_VAR_DIR=str(tmp_path))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    clear_of_minute_boundary()

    answers = count_in_processes(env, processes=4, hits=25, limit=30)

    assert len(answers) == 100
    assert answers.count(True) == 30
