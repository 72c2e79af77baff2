"""Every benchmark at a small size, so that a change which breaks one fails CI (`make
bench-small`, run by `.ci/run` on PostgreSQL). The figures it prints are not judged here —
at this size and on a loaded machine they mean little; a benchmark that no longer runs does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/ci_small.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _run(name: str, args: list[str], env: dict) -> None:
    started = time.perf_counter()
    print(f"=== {name}: {' '.join(args)}", flush=True)
    subprocess.run([PYTHON, *args], cwd=ROOT, env=env, check=True, timeout=900)  # noqa: S603
    print(f"=== {name}: ran in {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the benchmarks need one)")
    name = f"wenping_scale_ci_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(server)
    scale_url = urlunsplit(parts._replace(path=f"/{name}"))
    admin = psycopg2.connect(server)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    try:
        env = {**os.environ, "DATABASE_URL": scale_url}
        _run("migrate", ["manage.py", "migrate", "-v0"], env)
        # In process, then over HTTP (gunicorn.conf.py and Locust's three runs, 5 s each):
        # a login that breaks the readers' sessions, or any failed request, fails here.
        _run(
            "scale",
            [
                "benchmarks/scale_bench.py",
                *("--rows", "3000", "--runs", "3", "--http", "--seconds", "5"),
            ],
            env,
        )
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
    env = {**os.environ, "DATABASE_URL": server}
    _run("pdf", ["benchmarks/pdf_bench.py", "2"], env)
    _run("restore drill", ["benchmarks/backup_bench.py", "--rows", "1000", "--small", "300"], env)
    _run("issue block", ["benchmarks/issue_block_bench.py", "2"], env)
    _run("issue", ["benchmarks/issue_bench.py", "--reports", "10"], env)
    _run("lease and rate counter", ["benchmarks/lease_rate_bench.py"], env)
    _run(
        "login and verify",
        ["benchmarks/login_verify_bench.py", "--postgres", "--seconds", "3", "--logins", "5"],
        env,
    )
    print("=== every benchmark ran")


if __name__ == "__main__":
    main()
