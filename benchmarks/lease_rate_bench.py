"""What the upload counter and the task watchdog cost, run by hand:

    .venv/bin/python benchmarks/lease_rate_bench.py            # a SQLite file
    DATABASE_URL=postgres://…/x .venv/bin/python benchmarks/lease_rate_bench.py

Builds a throwaway database (a file in a temporary directory, or test_… on PostgreSQL,
dropped afterwards) and measures:

- hit: one `RateCount.objects.hit` (the /verify/ upload counter, one upsert), median and
  p95 over 2000 counts from 200 addresses; target median ≤ 2 ms.
- watchdog: one `leases.requeue_expired(unleased=False)` when nothing expired (what every
  worker does at every heartbeat: it reads the lease table), with 20,000 finished tasks and
  2 running ones in the task table, median over 200 runs; target ≤ 2 ms.
- sweep: the same with the look for running tasks without a lease (each worker, once, when
  it starts; it reads the task table); target ≤ 50 ms.

Prints each figure beside its target with ok or MISS.
"""

import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhoucun_risk.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def timings_ms(function, runs: int) -> list[float]:
    function()
    taken = []
    for n in range(runs):
        start = time.perf_counter()
        function(n)
        taken.append((time.perf_counter() - start) * 1000)
    return taken


def report(name: str, value: float, target: float, detail: str = "") -> None:
    verdict = "ok" if value <= target else "MISS"
    print(f"{name:<10} {value:8.2f} ms  (target ≤ {target} ms) {verdict}  {detail}")


def main() -> None:
    from django.tasks import TaskResultStatus
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from assessments.issuing import leases
    from assessments.models import RateCount, TaskLease

    setup_test_environment()
    with tempfile.TemporaryDirectory() as directory:
        if connection.vendor == "sqlite":
            connection.settings_dict["TEST"]["NAME"] = str(Path(directory) / "bench.sqlite3")
        name = connection.creation.create_test_db(verbosity=0)
        try:
            print(f"{connection.vendor} ({name})")
            hits = timings_ms(
                lambda n=0: RateCount.objects.hit(f"verify-upload:10.0.{n % 200}"), 2000
            )
            report(
                "hit",
                statistics.median(hits),
                2,
                f"p95 {statistics.quantiles(hits, n=20)[-1]:.2f} ms",
            )

            now = timezone.now()
            common = {
                "args_kwargs": {"args": [1], "kwargs": {}},
                "task_path": "assessments.issuing.tasks.issue_report_task",
                "backend_name": "default",
                "run_after": now,
                "exception_class_path": "",
                "traceback": "",
            }
            DBTaskResult.objects.bulk_create(
                [
                    DBTaskResult(status=TaskResultStatus.SUCCESSFUL, finished_at=now, **common)
                    for _ in range(20_000)
                ],
                batch_size=2000,
            )
            running = DBTaskResult.objects.bulk_create(
                [
                    DBTaskResult(status=TaskResultStatus.RUNNING, started_at=now, **common)
                    for _ in range(2)
                ]
            )
            TaskLease.objects.bulk_create(
                [
                    TaskLease(task=task, worker_id="w", expires_at=now + timedelta(hours=1))
                    for task in running
                ]
            )
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            beat = timings_ms(lambda n=0: leases.requeue_expired(unleased=False), 200)
            report("watchdog", statistics.median(beat), 2, "at each beat: the lease table")
            sweep = timings_ms(lambda n=0: leases.requeue_expired(), 200)
            report("sweep", statistics.median(sweep), 50, "at start-up: 20,000 finished tasks")
            assert leases.requeue_expired() == (0, 0)
        finally:
            connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
