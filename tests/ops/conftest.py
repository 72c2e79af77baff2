import os
import secrets

import pytest
from django.db import connection

from tests.ops import s3


@pytest.fixture(scope="session")
def s3_server():
    """A real S3-compatible server (moto) on a free 127.0.0.1 port, for the whole run."""
    process, server = s3.start()
    try:
        yield server
    finally:
        s3.stop(process)


@pytest.fixture
def empty_database(tmp_path):
    """A database URL for a brand-new, empty database of the kind the tests run on."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    params = connection.settings_dict
    user = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    yield from _new_postgres(f"postgres://{user}@{params['HOST']}:{params['PORT'] or 5432}")


@pytest.fixture
def other_database(tmp_path):
    """An empty database of the other kind: SQLite when the tests run on PostgreSQL, the
    local PostgreSQL server (ZHOUCUN_TEST_POSTGRES, default 127.0.0.1:5432) otherwise."""
    if connection.vendor != "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg2

    server = os.environ.get("ZHOUCUN_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    try:
        psycopg2.connect(f"{server}/postgres", connect_timeout=3).close()
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {server} to restore a SQLite backup into: {exc}")
    yield from _new_postgres(server)


def _new_postgres(server: str):
    import psycopg2

    name = f"test_zhoucun_restore_{secrets.token_hex(4)}"
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        yield f"{server}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
