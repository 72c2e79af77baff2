"""Where issuing an approved assessment stands, for its page (polled by htmx while it runs)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .. import permissions
from ..models import Assessment, IssueFailure, SignedReport, Status
from .tasks import issue_report_task


@dataclass(frozen=True)
class IssueProgress:
    """Where issuing an approved assessment stands, for its page."""

    # "queued", "running", "retry" (a later attempt is scheduled), "failed" (attempts used
    # up), or "idle" (nothing queued and no failure: the queue lost it, or never had it).
    state: str
    attempt: int = 1
    run_after: datetime | None = None
    failure: IssueFailure | None = None

    @property
    def failed_attempts(self) -> int:
        return self.attempt - 1

    @property
    def is_failed(self) -> bool:
        return self.state == "failed"

    @property
    def is_idle(self) -> bool:
        return self.state == "idle"

    @property
    def is_retrying(self) -> bool:
        return self.state == "retry"


def issue_progress(assessment: Assessment) -> IssueProgress | None:
    """None unless the assessment is approved and not yet issued."""
    if assessment.status != Status.APPROVED:
        return None
    pending = (
        DBTaskResult.objects.filter(
            task_path=issue_report_task.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            args_kwargs__args__0=assessment.pk,
        )
        .only("status", "run_after", "args_kwargs")
        .order_by("run_after")
        .first()
    )
    failure = assessment.issue_failures.first()
    if pending is not None:
        args = pending.args_kwargs["args"]
        attempt = args[1] if len(args) > 1 else 1
        if pending.status == TaskResultStatus.RUNNING:
            return IssueProgress("running", attempt, failure=failure)
        if failure is not None and pending.run_after > timezone.now():
            return IssueProgress("retry", attempt, run_after=pending.run_after, failure=failure)
        return IssueProgress("queued", attempt, failure=failure)
    if failure is not None:
        return IssueProgress("failed", failure=failure)
    return IssueProgress("idle")


# The status panel polls at most this often and this many times (10 minutes), so a page
# left open while no worker runs neither loads the server nor keeps its session alive.
POLL_SECONDS = 2
MAX_POLLS = 300


def issue_panel(user, assessment: Assessment, *, polls: int = 0) -> dict:
    """Context for the signed report / issuing panel on the detail page and its poll."""
    progress = issue_progress(assessment)
    waiting = progress is not None and progress.state in {"queued", "running", "retry"}
    return {
        "assessment": assessment,
        "signed_report": SignedReport.objects.filter(assessment=assessment).first()
        if assessment.status == Status.ISSUED
        else None,
        "can_download": permissions.can_download_report(user, assessment),
        "can_download_archive": permissions.can_download_archive(user, assessment),
        "issue": progress,
        "can_retry_issue": progress is not None
        and not waiting
        and permissions.can_retry_issue(user, assessment),
        "poll": waiting and polls < MAX_POLLS,
        "poll_gave_up": waiting and polls >= MAX_POLLS,
        "next_poll": polls + 1,
        "poll_seconds": POLL_SECONDS,
    }
