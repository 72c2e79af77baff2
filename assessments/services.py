"""Writes to assessment content. Statuses are not changed here: see `workflow`.

Every function is keyword-only, validates with `full_clean()` before saving and runs in a
transaction, so callers (views, the demo loader, commands) share one set of rules.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from .models import (
    Assessment,
    Contact,
    Dimension,
    Finding,
    RiskLevel,
    RiskMatrixCell,
    RiskPoint,
    Unit,
)


def risk_level_for(*, likelihood: int, impact: int) -> RiskLevel:
    """The level the matrix (data, not code) gives a likelihood × impact pair."""
    return (
        RiskMatrixCell.objects.select_related("level")
        .get(likelihood=likelihood, impact=impact)
        .level
    )


def suggested_risk_level(risk_points: Iterable[RiskPoint]) -> RiskLevel | None:
    """The overall level the risk points suggest: the most serious level after measures."""
    levels = [point.level_after for point in risk_points]
    return max(levels, key=lambda level: level.rank) if levels else None


@transaction.atomic
def assessment_create(*, owner_unit: Unit, author, **fields) -> Assessment:
    assessment = Assessment(owner_unit=owner_unit, author=author, **fields)
    assessment.full_clean()
    assessment.save()
    # One finding row per dimension from the start, so the form and report always see four.
    Finding.objects.bulk_create(
        Finding(assessment=assessment, dimension=dimension) for dimension in Dimension.values
    )
    return assessment


@transaction.atomic
def finding_update(*, assessment: Assessment, dimension: str, text: str, verdict: str) -> Finding:
    finding = Finding.objects.get(assessment=assessment, dimension=dimension)
    finding.text = text
    finding.verdict = verdict
    finding.full_clean()
    finding.save()
    return finding


@transaction.atomic
def contact_add(
    *, assessment: Assessment, side: str, name: str, position: str, phone: str
) -> Contact:
    last = assessment.contacts.filter(side=side).order_by("-order").first()
    contact = Contact(
        assessment=assessment,
        side=side,
        name=name,
        position=position,
        phone=phone,
        order=(last.order + 1) if last else 0,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def risk_point_add(
    *,
    assessment: Assessment,
    description: str,
    category: str,
    likelihood: int,
    impact: int,
    level_after: RiskLevel,
    mitigation: str,
    responsible_party: str,
) -> RiskPoint:
    last = assessment.risk_points.order_by("-order").first()
    point = RiskPoint(
        assessment=assessment,
        order=(last.order + 1) if last else 0,
        description=description,
        category=category,
        likelihood=likelihood,
        impact=impact,
        level_before=risk_level_for(likelihood=likelihood, impact=impact),
        level_after=level_after,
        mitigation=mitigation,
        responsible_party=responsible_party,
    )
    point.full_clean()
    point.save()
    return point
