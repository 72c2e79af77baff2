"""Restore drill (issue 17): backup → restore of N assessments into an empty database, at
two sizes, each figure printed beside its target with ok or MISS:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/backup_bench.py --rows 100000 --small 10000

The rows are built as `scale_bench.py` builds them (SQL, realistic width; contacts,
versions and signed-report rows come with them), each size in a database of its own.
Each `manage.py backup` and `restore` runs in a process of its own; its peak memory is that
process's ru_maxrss. The streaming archive promises flat memory: the peak at N may not be
materially more than at the small size.

The scale build writes signed-report rows without PDF files, so backup and restore name
each of those as missing; the drill checks that those are the only problems and that the
restored database holds every row of every table.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
# Peak memory at the large size over the small one; beyond this memory is not flat.
FLAT_RATIO = 1.25
# Whole-command seconds at the large size (per 100,000 assessments; `restore` includes its
# `migrate`, ~20 s, which is why the small size is printed without a target).
BACKUP_S_PER_100K = 120
RESTORE_S_PER_100K = 300


def _database(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def _admin(server: str):
    admin = psycopg2.connect(server)
    admin.autocommit = True
    return admin


def _run(args: list[str], env: dict) -> tuple[subprocess.CompletedProcess, float, int]:
    """The command's result, wall seconds and peak resident memory (KiB)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([PYTHON, *args], cwd=ROOT, env=env, stdout=out, stderr=err)  # noqa: S603
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(
            args, os.waitstatus_to_exitcode(status), out.read().decode(), err.read().decode()
        )
    return result, seconds, usage.ru_maxrss


def _counts(url: str) -> dict[str, int]:
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            "AND table_name NOT LIKE 'django_session' AND table_name NOT LIKE 'axes_%%' "
            "AND table_name NOT IN ('django_migrations', 'django_content_type', "
            "'auth_permission')"
        )
        tables = sorted(name for (name,) in cursor.fetchall())
        found = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - catalogue names
            found[table] = cursor.fetchone()[0]
    conn.close()
    return found


def _only_missing_files(stderr: str) -> tuple[int, list[str]]:
    lines = [line for line in stderr.splitlines() if line.startswith("PROBLEM ")]
    other = [
        line for line in lines if "stored file missing" not in line and "no stored file" not in line
    ]
    return len(lines) - len(other), other


def drill(server: str, rows: int, env: dict, folder: Path) -> dict:
    name = f"wenping_backup_bench_{uuid.uuid4().hex[:8]}"
    admin = _admin(server)
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0")
    try:
        return _drill(server, _database(server, name), rows, env, folder)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def _drill(server: str, source: str, rows: int, env: dict, folder: Path) -> dict:
    migrate, _s, _kib = _run(["manage.py", "migrate", "-v0"], {**env, "DATABASE_URL": source})
    if migrate.returncode != 0:
        raise SystemExit(migrate.stderr)
    build, build_s, _ = _run(
        ["benchmarks/scale_bench.py", "--rows", str(rows), "--build-only"],
        {**env, "DATABASE_URL": source},
    )
    if build.returncode != 0:
        raise SystemExit(f"build failed:\n{build.stdout}\n{build.stderr}")
    archive = folder / f"backup-{rows}.tar.gz"
    backed, backup_s, backup_kib = _run(
        ["manage.py", "backup", str(archive)], {**env, "DATABASE_URL": source}
    )
    missing_b, other_b = _only_missing_files(backed.stderr)
    if not archive.is_file() or other_b:
        raise SystemExit(f"backup failed:\n{backed.stdout}\n{backed.stderr[-3000:]}")
    target_name = f"wenping_restore_bench_{uuid.uuid4().hex[:8]}"
    admin = _admin(server)
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {target_name} ENCODING 'UTF8' TEMPLATE template0")
    target = _database(server, target_name)
    try:
        restored, restore_s, restore_kib = _run(
            ["manage.py", "restore", str(archive)],
            {**env, "DATABASE_URL": target, "ZHOUCUN_TRUST_ROOTS": str(folder / "r.pem")},
        )
        missing_r, other_r = _only_missing_files(restored.stderr)
        if other_r or "Database loaded" not in restored.stdout:
            raise SystemExit(f"restore failed:\n{restored.stdout}\n{restored.stderr[-3000:]}")
        before, after = _counts(source), _counts(target)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {target_name} WITH (FORCE)")
        admin.close()
    (folder / "r.pem").unlink(missing_ok=True)
    total = sum(before.values())
    result = {
        "assessments": before.get("assessments_assessment", 0),
        "rows": total,
        "archive_mib": round(archive.stat().st_size / 2**20, 1),
        "build_s": round(build_s, 1),
        "backup_s": round(backup_s, 1),
        "backup_peak_mib": round(backup_kib / 1024, 1),
        "restore_s": round(restore_s, 1),
        "restore_peak_mib": round(restore_kib / 1024, 1),
        "reports_without_file": missing_b,
        "restore_named_them": missing_r == missing_b,
        "tables_equal": before == after,
        "differing_tables": sorted(t for t in before if before[t] != after.get(t)),
    }
    archive.unlink()
    return result


def verdicts(small: dict, large: dict) -> list[tuple[str, str, str, bool | None]]:
    rows = []
    scale = large["assessments"] / 100_000
    for step, limit in (("backup", BACKUP_S_PER_100K), ("restore", RESTORE_S_PER_100K)):
        rows.append((f"small: {step} s ({small['rows']} rows)", str(small[f"{step}_s"]), "—", None))
        # Below 100,000 assessments the fixed cost (start-up, migrate) is most of the time.
        judged = scale >= 1
        rows.append(
            (
                f"large: {step} s ({large['rows']} rows)",
                str(large[f"{step}_s"]),
                f"<= {limit * scale:.0f}" if judged else "—",
                large[f"{step}_s"] <= limit * scale if judged else None,
            )
        )
    for name, result in (("small", small), ("large", large)):
        rows.append(
            (
                f"{name}: every table restored, row for row",
                str(result["tables_equal"]) + " ".join(result["differing_tables"]),
                "True",
                result["tables_equal"],
            )
        )
        rows.append(
            (
                f"{name}: restore names each report without a file",
                str(result["restore_named_them"]),
                "True",
                result["restore_named_them"],
            )
        )
    for step in ("backup", "restore"):
        ratio = large[f"{step}_peak_mib"] / small[f"{step}_peak_mib"]
        rows.append(
            (
                f"{step} peak memory large/small",
                f"{ratio:.2f} ({small[f'{step}_peak_mib']} → {large[f'{step}_peak_mib']} MiB)",
                f"<= {FLAT_RATIO}",
                ratio <= FLAT_RATIO,
            )
        )
    return rows


def _trust_roots(folder: Path) -> Path:
    """A throwaway CA, so the archive carries trust roots as a real one does."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhoucun_risk.settings.test")
    import django

    django.setup()
    from assessments.reports.pki import create_dev_ca

    root, _p12 = create_dev_ca(folder / "pki", organisation="基准区大数据局", password="bench")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (the build writes its SQL)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zhoucun_risk.settings.dev",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(30),
            "ZHOUCUN_VAR_DIR": str(folder / "var"),
            "ZHOUCUN_TRUST_ROOTS": str(_trust_roots(folder)),
        }
        small = drill(server, args.small, env, folder)
        large = drill(server, args.rows, env, folder)
    print(f"\n{'figure':<50} {'measured':>30} {'target':>10}")
    for figure, measured, target, good in verdicts(small, large):
        verdict = "" if good is None else "ok" if good else "MISS"
        print(f"{figure:<50} {measured:>30} {target:>10} {verdict}")
    print("\nJSON " + json.dumps({"small": small, "large": large}, ensure_ascii=False))


if __name__ == "__main__":
    main()
