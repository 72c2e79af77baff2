"""Report numbers: `<prefix>〔<year>〕<n>号`, numbered per unit and year, taken at approval.

Prefixes are unique across units (a database constraint), so numbers are too; a unit
without one cannot approve — there is no shared fallback that two units could collide on.
The number is taken inside the approval's transaction: a refused or failed approval rolls
the counter back, so numbers have no gaps, and the counter's row is locked only for that
short transaction — never while a report is rendered and signed.
"""

from __future__ import annotations

from django.utils import timezone

from ..models import Assessment, ReportCounter, ReportNumber, Unit


class NoReportPrefix(Exception):
    """The unit has no prefix of its own: it cannot number, so it cannot approve or issue."""


def next_report_number(unit: Unit, year: int) -> tuple[int, str]:
    """The unit's next number in `year`, counted (the caller's transaction holds the lock)."""
    if not unit.report_prefix:
        raise NoReportPrefix(f"unit {unit.pk} has no report-number prefix")
    counter, _created = ReportCounter.objects.select_for_update().get_or_create(
        unit=unit, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number, f"{unit.report_prefix}〔{year}〕{counter.last_number}号"


def reserve_number(assessment: Assessment) -> ReportNumber:
    """The assessment's report number: the one it already took, else the next of its unit in
    this year. Called inside a transaction that holds the assessment's row."""
    taken = ReportNumber.objects.filter(assessment=assessment).first()
    if taken is not None:
        return taken
    now = timezone.now()
    year = timezone.localtime(now).year
    sequence, number = next_report_number(assessment.owner_unit, year)
    return ReportNumber.objects.create(
        assessment=assessment,
        unit=assessment.owner_unit,
        year=year,
        sequence=sequence,
        number=number,
        taken_at=now,
    )
