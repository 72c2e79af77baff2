"""TRUNCATE of the append-only tables is refused on PostgreSQL (migration 0005)."""

import pytest
from django.db import IntegrityError, connection, transaction

from assessments.models.guards import APPEND_ONLY_TABLES

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no TRUNCATE; the guard is a PostgreSQL trigger",
)


def truncate(sql: str) -> None:
    # A savepoint: the refusal (or the allowed TRUNCATE) is undone with it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
        transaction.set_rollback(True)


@pytest.fixture
def production_session(db):
    """The test settings allow TRUNCATE for Django's flush; production never does."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL zhoucun.allow_truncate = 'off'")


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_truncate_of_an_append_only_table_is_refused(production_session, table):
    with pytest.raises(IntegrityError, match=r"is append-only: TRUNCATE is refused"):
        truncate(f"TRUNCATE {table} CASCADE")


def test_a_cascade_from_a_table_they_reference_is_refused_too(production_session):
    with pytest.raises(IntegrityError, match=r"is append-only: TRUNCATE is refused"):
        truncate("TRUNCATE assessments_assessment CASCADE")


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_test_settings_allow_it_so_django_can_flush_between_tests(db, table):
    truncate(f"TRUNCATE {table} CASCADE")  # no error: the flag the test settings set
