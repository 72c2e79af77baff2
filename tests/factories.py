"""Test data builders. Everything goes through the real services."""

import datetime
import itertools

from django.contrib.auth import get_user_model

from assessments import services
from assessments.models import Assessment, Membership, Role, Unit

_counter = itertools.count(1)
PASSWORD = "Test-pass-2026"


def make_unit(name: str | None = None, *, parent: Unit | None = None, prefix=None) -> Unit:
    """A unit with a report-number prefix of its own (pass prefix="" for none)."""
    n = next(_counter)
    return Unit.objects.create(
        name=name or f"测试单位{n}",
        code=f"unit-{n}",
        parent=parent,
        report_prefix=f"测{n}稳评" if prefix is None else prefix,
    )


def make_user(
    username: str,
    *,
    roles: list[Role] = (),
    units: list[Unit] = (),
    memberships: dict[Unit, list[Role]] | None = None,
    **extra,
):
    """A user holding each of `roles` in each of `units`, plus any `memberships`."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    grants = {(unit, role) for unit in units for role in roles}
    grants |= {(unit, role) for unit, held in (memberships or {}).items() for role in held}
    Membership.objects.bulk_create(Membership(user=user, unit=u, role=r) for u, r in grants)
    return user


def make_assessment(*, unit: Unit, author, **fields) -> Assessment:
    defaults = {
        "title": "测试项目社会稳定风险评估报告",
        "project_name": "测试项目",
        "responsible_entity": "测试责任单位",
        "evaluating_unit": "测试评估单位",
        "report_date": datetime.date(2026, 11, 1),
    }
    return services.assessment_create(owner_unit=unit, author=author, **{**defaults, **fields})


def complete_assessment(assessment: Assessment) -> Assessment:
    """Fill every wizard step so the assessment can be submitted."""
    from assessments.models import Dimension, RiskLevel

    low = RiskLevel.objects.get(code="low")
    services.contacts_replace(
        assessment=assessment,
        side="responsible",
        rows=[{"name": "聂某", "position": "主任", "phone": "13800000001"}],
    )
    services.contacts_replace(
        assessment=assessment,
        side="evaluator",
        rows=[{"name": "田某", "position": "", "phone": "13800000003"}],
    )
    services.findings_update(
        assessment=assessment,
        findings={d: {"text": f"{d} 的评估意见。", "verdict": "no_risk"} for d in Dimension.values},
    )
    for name, value in {
        "basic_situation": "基本情况第一段。\n基本情况第二段。",
        "risk_narrative": "风险点及化解情况。",
        "risk_level": low,
        "recommendation": low.recommendation,
        "conclusion": "初步确定风险等级为低级，建议准予实施。",
    }.items():
        setattr(assessment, name, value)
    assessment.save()
    return assessment
