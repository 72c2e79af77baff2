"""One table's way through the archive: written as JSON lines in chunks, read back line by
line and inserted in batches, every value as it was (binary, times, foreign keys)."""

import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.management.commands.restore import Command
from assessments.models import Seal
from assessments.ops import backup
from tests.factories import make_unit


def test_a_table_travels_value_for_value_binary_and_times_included(db):
    seal = Seal.objects.create(
        unit=make_unit("周村区大数据局"), image=bytes(range(256)), content_type="image/png"
    )
    sink = io.BytesIO()

    assert backup.write_table(Seal, sink) == 1
    sink.seek(0)
    header, rows = backup.read_table(sink)
    rows = list(rows)
    Seal.objects.all().delete()
    Command()._load_table(Seal, header, iter(rows), remap={})

    restored = Seal.objects.get()
    assert header["table"] == "assessments.seal"
    assert (restored.pk, restored.unit_id, restored.uploaded_at) == (
        seal.pk,
        seal.unit_id,
        seal.uploaded_at,
    )
    assert bytes(restored.image) == bytes(range(256))


def test_rows_are_inserted_in_batches_not_one_by_one_nor_all_at_once(db, monkeypatch):
    monkeypatch.setattr(backup, "BATCH", 2)
    header = {"table": "auth.group", "columns": ["id", "name"]}
    rows = iter([[900 + n, f"组{n}"] for n in range(5)])

    with CaptureQueriesContext(connection) as queries:
        loaded = Command()._load_table(Group, header, rows, remap={})

    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert loaded == 5
    assert len(inserts) == 3  # 2 + 2 + 1
    assert set(Group.objects.filter(pk__gte=900).values_list("name", flat=True)) == {
        f"组{n}" for n in range(5)
    }


def test_a_member_without_its_header_line_is_refused():
    with pytest.raises(backup.ArchiveError, match="no header line"):
        backup.read_table(io.BytesIO(b"[1, 2]\n"))
