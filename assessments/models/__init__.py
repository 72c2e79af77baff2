"""The domain of a social-stability risk assessment (稳评), after DESIGN §3, by concern:

- `fields`: the one table of text limits and the field helpers built on it;
- `org`: units, memberships (a role in a unit), profiles; `access`: what one person holds;
- `scheme`: the data a locality may change (levels, matrix, activity kinds, mode rules);
- `assessment`: the assessment and its simple-mode parts; `standard`: standard-mode records;
  `evidence`: evidence files;
- `outline`: report outlines, their headings, each unit's choice, free-section texts;
- `filing`: 备案 — filings with the oversight units above and their steps;
- `tracking`: after the decision — tracking records and post-evaluations (后评估);
- `notify`: notifications and the daily job's runs (deadlines and reminders);
- `history`: versions, review events, stored differences (append-only);
- `issued`: signed reports, number counters, failures, seals; `audit`: the audit log;
  `ops`: worker heartbeats, task leases, rate counters; `tally`: the counts the dashboard
  reads, kept by triggers.

Statuses change only in `assessments.services.workflow`; the field is not editable anywhere
else. The append-only tables (Version, ReviewEvent, AuditEvent, SignedReport) are guarded by
database triggers (`guards`, migration 0002), so not even raw SQL can rewrite history.
Everything is re-exported here by name: import from `assessments.models`.
"""

from .access import (
    NO_ACCESS,
    WORK_ROLES,
    Access,
    access_of,
    descendant_unit_ids,
    forget_access,
    visible_unit_ids,
)
from .assessment import (
    EDITABLE_STATUSES,
    REPORT_DATE_SORT,
    Assessment,
    AssessmentQuerySet,
    Contact,
    Dimension,
    Finding,
    MatterKind,
    Mode,
    Resolution,
    RiskCategory,
    RiskPoint,
    Side,
    Status,
    Verdict,
    visibility,
)
from .audit import AuditAction, AuditEvent
from .evidence import Attachment, AttachmentSection, attachment_storage
from .fields import SCORE_VALIDATORS, TEXT_LIMITS, bounded_text, length_limit
from .filing import (
    OPEN_FILING_STATES,
    Filing,
    FilingAction,
    FilingState,
    FilingStep,
    filing_due_date,
)
from .history import ReviewEvent, Version, VersionDiff
from .issued import IssueFailure, ReportCounter, ReportNumber, Seal, SignedReport
from .locality import LocalityRule, Retention, RetentionRule
from .notify import DailyRun, Notification, NotificationKind
from .ops import RateCount, TaskLease, WorkerHeartbeat
from .org import REPORT_PREFIX_VALIDATORS, Membership, Profile, Role, Unit
from .outline import (
    FREE,
    NATIONAL_NUMBERING,
    FreeSectionText,
    Numbering,
    Outline,
    OutlineHeading,
    UnitOutline,
    heading_number,
    outline_problems,
)
from .scheme import (
    STANDARD_LEVEL_NAMES,
    ActivityKind,
    DecisionOption,
    EnvironmentalCategory,
    Measure,
    ModeThreshold,
    Recommendation,
    RiskLevel,
    RiskMatrixCell,
    level_display_name,
)
from .standard import (
    Adoption,
    BasisDocument,
    ConsultationActivity,
    EmergencyContact,
    ExpertMember,
    Opinion,
    OpinionSource,
    Row,
    StandardRecord,
    WorkingGroupMember,
)
from .tally import NO_LEVEL, AssessmentTally, rebuild_tallies, triggers_paused
from .tracking import (
    Carried,
    MeasureCheck,
    PostEvaluation,
    PostEvaluationTrigger,
    TrackingRecord,
)

__all__ = [
    "EDITABLE_STATUSES",
    "FREE",
    "NATIONAL_NUMBERING",
    "NO_ACCESS",
    "NO_LEVEL",
    "OPEN_FILING_STATES",
    "REPORT_DATE_SORT",
    "REPORT_PREFIX_VALIDATORS",
    "SCORE_VALIDATORS",
    "STANDARD_LEVEL_NAMES",
    "TEXT_LIMITS",
    "WORK_ROLES",
    "Access",
    "ActivityKind",
    "Adoption",
    "Assessment",
    "AssessmentQuerySet",
    "AssessmentTally",
    "Attachment",
    "AttachmentSection",
    "AuditAction",
    "AuditEvent",
    "BasisDocument",
    "Carried",
    "ConsultationActivity",
    "Contact",
    "DailyRun",
    "DecisionOption",
    "Dimension",
    "EmergencyContact",
    "EnvironmentalCategory",
    "ExpertMember",
    "Filing",
    "FilingAction",
    "FilingState",
    "FilingStep",
    "Finding",
    "FreeSectionText",
    "IssueFailure",
    "LocalityRule",
    "MatterKind",
    "Measure",
    "MeasureCheck",
    "Membership",
    "Mode",
    "ModeThreshold",
    "Notification",
    "NotificationKind",
    "Numbering",
    "Opinion",
    "OpinionSource",
    "Outline",
    "OutlineHeading",
    "PostEvaluation",
    "PostEvaluationTrigger",
    "Profile",
    "RateCount",
    "Recommendation",
    "ReportCounter",
    "ReportNumber",
    "Resolution",
    "Retention",
    "RetentionRule",
    "ReviewEvent",
    "RiskCategory",
    "RiskLevel",
    "RiskMatrixCell",
    "RiskPoint",
    "Role",
    "Row",
    "Seal",
    "Side",
    "SignedReport",
    "StandardRecord",
    "Status",
    "TaskLease",
    "TrackingRecord",
    "Unit",
    "UnitOutline",
    "Verdict",
    "Version",
    "VersionDiff",
    "WorkerHeartbeat",
    "WorkingGroupMember",
    "access_of",
    "attachment_storage",
    "bounded_text",
    "descendant_unit_ids",
    "filing_due_date",
    "forget_access",
    "heading_number",
    "length_limit",
    "level_display_name",
    "outline_problems",
    "rebuild_tallies",
    "triggers_paused",
    "visibility",
    "visible_unit_ids",
]
