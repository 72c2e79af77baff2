"""Issuing: render the approved version, number it, sign it, store it once, mark it issued.

Runs as a Django task (`django.tasks`), enqueued when an approval commits. The default
backend keeps the queue in the database and a worker (`manage.py worker`, on any machine
that reaches the database) takes it from there, so approving returns at once. The number was
taken at approval; rendering and signing run outside any transaction, and only the final
write (signed report and status) is one. A failure leaves the assessment
approved, with the error recorded for administrators; the task tries again after the delays
in ZHOUCUN_ISSUE_RETRY_DELAYS, then leaves it to a person (the retry button).
"""

from __future__ import annotations

import base64
import gc
import logging
import secrets
import traceback
from datetime import timedelta

import segno
from django.conf import settings
from django.db import DatabaseError, transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from ..common.names import display_name
from ..models import (
    Assessment,
    IssueFailure,
    ReportNumber,
    ReviewEvent,
    Seal,
    SignedReport,
    Status,
    Unit,
)
from ..reports import pki, sign, storage
from ..reports.render import render_issued_pdf
from ..services import numbers, workflow

logger = logging.getLogger(__name__)


def verification_url(token: str) -> str:
    return settings.ZHOUCUN_PUBLIC_URL.rstrip("/") + reverse("verify", kwargs={"token": token})


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _seal_data_uri(unit: Unit) -> str | None:
    seal = Seal.objects.filter(unit=unit).first()
    if seal is None:
        return None
    return f"data:{seal.content_type};base64,{base64.b64encode(bytes(seal.image)).decode()}"


def issue_report(*, assessment_id: int) -> SignedReport:
    """Issue the approved assessment's report. Idempotent: an issued one is returned as is.

    Rendering and signing (the seconds) happen outside any transaction, on what the approval
    fixed: the approved version and the number taken at approval. Only the short write at
    the end — the signed report's row and the status — is a transaction, which re-reads the
    assessment under its lock; so two workers never hold one unit's counter in turn, and on
    SQLite the write lock is held for milliseconds, not for a render."""
    try:
        assessment = Assessment.objects.select_related("owner_unit").get(pk=assessment_id)
        if assessment.status == Status.ISSUED:
            return assessment.signed_report
        if assessment.status != Status.APPROVED:
            raise workflow.TransitionRefused(f"not approved: {assessment.status}")
        approval = (
            ReviewEvent.objects.filter(assessment=assessment, to_status=Status.APPROVED)
            .select_related("actor", "version")
            .latest("created_at", "id")
        )
        number = _number_of(assessment)
        approver = approval.actor
        approver_name = display_name(approver)
        identity = pki.signer_identity()
        signed_at = timezone.now()
        token = secrets.token_urlsafe(24)
        url = verification_url(token)
        pdf, signature_box = render_issued_pdf(
            approval.version.content,
            # The headings it was submitted with, whatever the unit follows today.
            outline=approval.version.outline,
            issue={
                "report_number": number,
                "approver": approver_name,
                "signed_at": timezone.localtime(signed_at),
                "signer": identity.name,
                "fingerprint": identity.fingerprint,
                "verify_url": url,
                "qr_data_uri": qr_data_uri(url),
                "seal_data_uri": _seal_data_uri(assessment.owner_unit),
            },
        )
        signed = sign.sign_pdf(
            pdf,
            reason=f"批准人：{approver_name}；报告编号：{number}",
            location=assessment.owner_unit.name,
            visible_box=signature_box,
        )
        # The file is written before the row commits: a rollback leaves at worst an orphan
        # file (listed by `manage.py reports_check`), never a row without its file.
        sha256 = storage.store_report(signed)
        with transaction.atomic(durable=True):
            locked = Assessment.objects.select_for_update().get(pk=assessment_id)
            if locked.status == Status.ISSUED:
                return locked.signed_report  # another attempt finished first
            if locked.status != Status.APPROVED:
                raise workflow.TransitionRefused(f"not approved: {locked.status}")
            report = SignedReport.objects.create(
                assessment=locked,
                version=approval.version,
                report_number=number,
                approved_by=approver,
                sha256=sha256,
                signed_at=signed_at,
                signer=identity.name,
                certificate_fingerprint=identity.fingerprint,
                verification_token=token,
            )
            workflow.assessment_issue(assessment=locked, actor=approver)
            return report
    except Exception:
        # Recorded for the administrators, then re-raised: the task is marked failed and
        # nothing was written but, at worst, an orphan file; nothing is half-issued.
        IssueFailure.objects.create(assessment_id=assessment_id, error=traceback.format_exc())
        logger.exception("Issuing assessment %s failed", assessment_id)
        raise


def _number_of(assessment: Assessment) -> str:
    """The number the approval took. An assessment approved before numbers were taken at
    approval takes its number now, in a transaction of its own."""
    taken = ReportNumber.objects.filter(assessment=assessment).first()
    if taken is not None:
        return taken.number
    with transaction.atomic(durable=True):
        locked = Assessment.objects.select_for_update().select_related("owner_unit")
        return numbers.reserve_number(locked.get(pk=assessment.pk)).number


# Failures no later attempt can mend: the assessment is gone or no longer approved.
NOT_RETRIED = (workflow.TransitionRefused, Assessment.DoesNotExist)


@task
def issue_report_task(assessment_id: int, attempt: int = 1) -> str:
    try:
        return issue_report(assessment_id=assessment_id).report_number
    except NOT_RETRIED:
        raise
    except Exception:
        # Re-raised: this attempt is recorded as failed (IssueFailure and the task's row).
        _schedule_retry(assessment_id, attempt)
        raise
    finally:
        # WeasyPrint leaves reference cycles by the hundred megabytes; collected here, a
        # worker's memory stays flat over hundreds of reports instead of swinging by 0.5 GB.
        gc.collect()


def _schedule_retry(assessment_id: int, attempt: int) -> None:
    delays = settings.ZHOUCUN_ISSUE_RETRY_DELAYS
    if attempt > len(delays):
        logger.error("Issuing assessment %s failed %s times; giving up", assessment_id, attempt)
        return
    if not issue_report_task.get_backend().supports_defer:
        return  # issued inside the request: the person who pressed the button sees it failed
    run_after = timezone.now() + timedelta(seconds=delays[attempt - 1])
    try:
        issue_report_task.using(run_after=run_after).enqueue(assessment_id, attempt + 1)
    except DatabaseError:
        # The database is probably why issuing failed. The assessment stays approved and
        # its page offers the retry button once nothing is queued for it.
        logger.exception("Could not schedule another attempt for assessment %s", assessment_id)


def enqueue_issue(assessment: Assessment) -> None:
    """Issue once the surrounding transaction (the approval) has committed."""
    pk = assessment.pk
    transaction.on_commit(lambda: issue_report_task.enqueue(pk))


def approve_and_issue(*, assessment: Assessment, actor, **kwargs) -> Assessment:
    """Approve (`workflow.assessment_approve`, same arguments), then issue the report once
    the approval has committed — at once when there is no surrounding transaction."""
    approved = workflow.assessment_approve(assessment=assessment, actor=actor, **kwargs)
    enqueue_issue(approved)
    return approved
