"""The after-decision reads of one assessment: its tracking records (each marked overdue or
not) with their measure checks, and its post-evaluations — three queries whatever their
number."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch

from ..models import Assessment, MeasureCheck, PostEvaluation, TrackingRecord


def tracking_panel(assessment: Assessment, today: datetime.date) -> dict:
    records = list(
        TrackingRecord.objects.filter(assessment=assessment).prefetch_related(
            Prefetch(
                "measure_checks",
                queryset=MeasureCheck.objects.select_related("risk_point").order_by(
                    "risk_point__order"
                ),
            )
        )
    )
    for record in records:
        record.overdue = record.is_overdue(today)
    return {
        "tracking_records": records,
        "overdue_count": sum(record.overdue for record in records),
        "post_evaluations": list(PostEvaluation.objects.filter(assessment=assessment)),
    }
