"""Test data builders. Everything goes through the real services."""

import datetime
import itertools

from django.contrib.auth import get_user_model

from assessments.models import Assessment, Membership, Role, Unit
from assessments.services import accounts, editing, workflow

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
    """A user holding each of `roles` in each of `units`, plus any `memberships`. Its home
    unit is the first of `units` (else of `memberships`), as if that unit had created it."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    grants = {(unit, role) for unit in units for role in roles}
    grants |= {(unit, role) for unit, held in (memberships or {}).items() for role in held}
    Membership.objects.bulk_create(Membership(user=user, unit=u, role=r) for u, r in grants)
    home = next(iter([*units, *(memberships or {})]), None)
    accounts.profile_claim(user, home_unit=home if grants else None)
    return user


def make_assessment(*, unit: Unit, author, **fields) -> Assessment:
    defaults = {
        "title": "测试项目社会稳定风险评估报告",
        "project_name": "测试项目",
        "responsible_entity": "测试责任单位",
        "evaluating_unit": "测试评估单位",
        "report_date": datetime.date(2026, 11, 1),
    }
    return editing.assessment_create(owner_unit=unit, author=author, **{**defaults, **fields})


def complete_assessment(assessment: Assessment) -> Assessment:
    """Fill every wizard step so the assessment can be submitted."""
    from assessments.models import Dimension, RiskLevel

    low = RiskLevel.objects.get(code="low")
    editing.contacts_replace(
        assessment=assessment,
        side="responsible",
        rows=[{"name": "聂某", "position": "主任", "phone": "13800000001"}],
    )
    editing.contacts_replace(
        assessment=assessment,
        side="evaluator",
        rows=[{"name": "田某", "position": "", "phone": "13800000003"}],
    )
    editing.findings_update(
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


def complete_standard(assessment: Assessment) -> Assessment:
    """Make a complete assessment a complete *standard* one: every record kind filled so the
    default minimum procedure is met (a notice, two other kinds, a panel of three)."""
    from assessments.models import (
        ActivityKind,
        BasisDocument,
        ConsultationActivity,
        DecisionOption,
        EmergencyContact,
        ExpertMember,
        Opinion,
        RiskLevel,
        WorkingGroupMember,
    )

    assessment.mode = "standard"
    assessment.save()
    kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
    low = RiskLevel.objects.get(code="low")
    editing.rows_sync(
        assessment=assessment,
        model=BasisDocument,
        rows=[
            {"title": "重大行政决策程序暂行条例", "number": "国务院令第713号", "issuer": "国务院"}
        ],
    )
    editing.rows_sync(
        assessment=assessment,
        model=WorkingGroupMember,
        rows=[{"name": "王某", "unit": "测试评估单位", "role": "组长"}],
    )
    editing.rows_sync(
        assessment=assessment,
        model=ConsultationActivity,
        rows=[
            {
                "kind": kinds["notice"],
                "start_date": datetime.date(2026, 9, 1),
                "end_date": datetime.date(2026, 9, 10),
                "place": "区政府网站",
                "summary": "公示期间未收到反对意见。",
            },
            {
                "kind": kinds["questionnaire"],
                "start_date": datetime.date(2026, 9, 5),
                "place": "项目周边社区",
                "participants": 120,
                "questionnaires_issued": 120,
                "questionnaires_returned": 100,
                "questionnaires_in_favour": 92,
                "summary": "多数受访者支持。",
            },
            {
                "kind": kinds["forum"],
                "start_date": datetime.date(2026, 9, 12),
                "place": "街道会议室",
                "participants": 15,
                "summary": "居民代表关注施工噪声。",
            },
        ],
    )
    forum = assessment.activities.get(kind=kinds["forum"])
    editing.rows_sync(
        assessment=assessment,
        model=Opinion,
        rows=[
            {
                "activity": forum,
                "raised_by": "representatives",
                "content": "夜间施工噪声扰民。",
                "adoption": "adopted",
                "response": "",
            }
        ],
    )
    editing.rows_sync(
        assessment=assessment,
        model=ExpertMember,
        rows=[
            {"name": f"专家{n}", "title": "高级工程师", "organisation": "某研究院"}
            for n in range(1, 4)
        ],
    )
    editing.rows_sync(
        assessment=assessment,
        model=EmergencyContact,
        rows=[{"name": "赵某", "role": "值班", "phone": "13800000009"}],
    )
    editing.standard_record_update(
        assessment=assessment,
        data={
            "responsible_leader": "李某（副区长）",
            "expert_date": datetime.date(2026, 9, 20),
            "expert_level": low,
            "expert_recommendation": "approve",
            "expert_opinion": "专家组认为风险可控。",
            "emergency_triggers": "群众聚集上访。",
            "emergency_command_leader": "李某",
            "emergency_command_units": "区信访局",
            "emergency_measures": "立即启动应急响应。",
            "meeting_kind": "区政府常务会议",
            "meeting_date": datetime.date(2026, 10, 8),
            "meeting_chair": "张某",
            "meeting_attendance": "区政府领导及相关部门负责人",
            "decision": DecisionOption.objects.get(code="implement"),
        },
    )
    rows = [
        {
            "description": "施工噪声影响周边居民。",
            "category": "environment",
            "likelihood": 2,
            "impact": 2,
            "level_after": low,
            "mitigation": "限定施工时间。",
            "responsible_party": "施工单位",
            "resolution_state": "resolved",
            "resolution": "已与居民代表协商确定施工时段。",
        }
    ]
    editing.risk_points_replace(assessment=assessment, rows=rows)
    return Assessment.objects.get(pk=assessment.pk)


def summary_standard(assessment: Assessment) -> Assessment:
    """Make a complete assessment a complete standard one as a published county report
    gives it: counts only — no activity dates or places, no names of experts, group or
    chair, no likelihood × impact — and every figure the source does not state marked
    未载明 rather than invented."""
    from assessments.models import ActivityKind, BasisDocument, ConsultationActivity, RiskLevel

    assessment.mode = "standard"
    assessment.measures_count = 2
    assessment.save()
    kinds = {kind.code: kind for kind in ActivityKind.objects.all()}
    low = RiskLevel.objects.get(code="low")
    editing.rows_sync(
        assessment=assessment,
        model=BasisDocument,
        rows=[{"title": "重大行政决策程序暂行条例", "number": "", "issuer": ""}],
    )
    editing.rows_sync(
        assessment=assessment,
        model=ConsultationActivity,
        rows=[
            {"kind": kinds["notice"], "occasions": 1},
            {"kind": kinds["department_meeting"], "occasions": 1},
            {"kind": kinds["forum"], "occasions": 1},
            {"kind": kinds["hearing"], "occasions": 1},
            {"kind": kinds["visit"], "occasions": 1},
            # "问卷5份": how many surveys the source does not say.
            {"kind": kinds["questionnaire"], "questionnaires_issued": 5},
        ],
    )
    from assessments.models import DecisionOption

    editing.standard_record_update(
        assessment=assessment,
        data={
            "opinions_count": 8,
            "opinions_adopted_count": 6,
            "satisfaction_rate": 98,
            "expert_level": low,
            "expert_recommendation": "approve",
            "decision": DecisionOption.objects.get(code="implement"),
            "not_stated": [
                "responsible_leader",
                "working_group",
                "expert_count",
                "expert_date",
                "expert_opinion",
                "emergency_triggers",
                "emergency_measures",
                "emergency_command_leader",
                "emergency_contacts",
                "meeting_kind",
                "meeting_date",
                "meeting_chair",
            ],
        },
    )
    editing.risk_points_replace(
        assessment=assessment,
        rows=[
            {
                "description": description,
                "category": "interests",
                "level_after": low,
                "mitigation": "做好政策解释。",
                "responsible_party": "",
                "resolution_state": "resolved",
                "resolution": "",
            }
            for description in ("群众对补偿标准有疑虑。", "施工影响出行。", "舆情风险。")
        ],
    )
    return assessment


def issue(assessment: Assessment, *, author, reviewer):
    """Submit, approve and issue `assessment` through the real workflow and the issuing task
    (run here, not queued); the signed report."""
    from assessments.issuing import tasks

    workflow.assessment_submit(assessment=assessment, actor=author)
    tasks.approve_and_issue(assessment=assessment, actor=reviewer)
    return tasks.issue_report(assessment_id=assessment.pk)
