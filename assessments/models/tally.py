"""Counts of assessments by unit, month, status, mode and level, kept by the database.

The dashboard reads these few hundred rows instead of grouping a million assessments: a
trigger (migration 0023) adds one to the row of an assessment's key when it is created or its
key changes, and takes one from the old key's row when it changes or the assessment is
deleted. The month is the month the assessment was created in, in the installation's time
zone (TIME_ZONE as it was when the migration ran: PostgreSQL by its name, SQLite at its
offset, which China keeps all year).

A bulk load that bypasses row triggers (the scale benchmark's) ends with `rebuild_tallies`,
which counts everything again in one statement; so does a restore, which on PostgreSQL
switches the triggers off for its load (`triggers_paused`) rather than pay one per row.
"""

from __future__ import annotations

import datetime
import zoneinfo
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from .org import Unit

# No level chosen yet: the key's level is 0, not NULL, so that the unique key (and the
# triggers' ON CONFLICT) treats "no level" as one value on every database.
NO_LEVEL = 0

TABLE = "assessments_assessmenttally"


class AssessmentTally(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("Unit")
    )
    month = models.DateField(_("Month"))
    status = models.CharField(_("Status"), max_length=10)
    mode = models.CharField(_("Evaluation mode"), max_length=10)
    level_id = models.PositiveIntegerField(_("Risk level"), default=NO_LEVEL)
    count = models.BigIntegerField(_("Count"), default=0)

    class Meta:
        verbose_name = _("Assessment count")
        verbose_name_plural = _("Assessment counts")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "status", "mode", "level_id"], name="tally_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.status} {self.mode}: {self.count}"


def offset_hours() -> int:
    """TIME_ZONE's offset from UTC in whole hours (Asia/Shanghai: 8, all year): SQLite has no
    time zones, so its month is taken at this fixed offset."""
    offset = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return int(offset.total_seconds() // 3600)


def month_function_sql() -> str:
    """PostgreSQL: the month of a timestamp in TIME_ZONE, whatever the session's time zone
    (`AT TIME ZONE` a named zone gives local time; the rest is plain date arithmetic)."""
    zone = settings.TIME_ZONE.replace("'", "")
    return (
        "CREATE OR REPLACE FUNCTION zhoucun_month(ts timestamptz) RETURNS date "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS "
        f"$$ SELECT date_trunc('month', ts AT TIME ZONE '{zone}')::date $$;"
    )


def month_sql(column: str, vendor: str) -> str:
    """The first day of the local month of a timestamp column: the one expression the
    triggers and the rebuild use."""
    if vendor == "postgresql":
        return f"zhoucun_month({column})"
    return f"date({column}, '{offset_hours():+d} hours', 'start of month')"


def rebuild_tallies(using=None) -> None:
    """Count every assessment again (after a load that bypassed the triggers)."""
    using = using or connection
    month = month_sql("created_at", using.vendor)
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - constant SQL
        cursor.execute(
            f"INSERT INTO {TABLE} (unit_id, month, status, mode, level_id, count) "  # noqa: S608
            f"SELECT owner_unit_id, {month}, status, mode, COALESCE(risk_level_id, {NO_LEVEL}), "
            f"count(*) FROM assessments_assessment GROUP BY 1, 2, 3, 4, 5"
        )


# The triggers of migration 0023 on PostgreSQL (it names them; SQLite's cannot be paused).
POSTGRESQL_TRIGGERS = ("assessment_tally_insert_delete", "assessment_tally_update")


@contextmanager
def triggers_paused(using=None):
    """Inside a transaction (`atomic`) on PostgreSQL: the tally triggers off until the block
    ends, for a bulk load that then calls `rebuild_tallies`. ALTER TABLE is transactional
    there, so a failed load's rollback undoes the switch. Elsewhere the triggers run on."""
    using = using or connection
    if using.vendor != "postgresql":
        yield
        return
    with using.cursor() as cursor:
        for name in POSTGRESQL_TRIGGERS:
            cursor.execute(f"ALTER TABLE assessments_assessment DISABLE TRIGGER {name}")
    yield
    # Only after a load that worked: after a failure the transaction's rollback switches
    # them back on (and an ALTER TABLE now would fail on the deferred checks still pending).
    with using.cursor() as cursor:
        for name in POSTGRESQL_TRIGGERS:
            cursor.execute(f"ALTER TABLE assessments_assessment ENABLE TRIGGER {name}")
