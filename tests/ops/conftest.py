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
    import psycopg2

    params = connection.settings_dict
    name = f"test_zhoucun_restore_{secrets.token_hex(4)}"
    admin = psycopg2.connect(
        dbname="postgres",
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"],
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    try:
        user = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
        yield f"postgres://{user}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
