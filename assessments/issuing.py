"""Issuing: render the approved version, number it, sign it, store it once, mark it issued.

Runs as a Django task (`django.tasks`), enqueued when an approval commits; the default
backend runs it at once, production can move it to a worker. Either everything happens in
one transaction or nothing does: a failure leaves the assessment approved, with the error
recorded for administrators and a way to try again.
"""

from __future__ import annotations

import base64
import logging
import secrets
import traceback

import segno
from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from . import signing, storage, workflow
from .models import (
    Assessment,
    IssueFailure,
    ReportCounter,
    ReviewEvent,
    Seal,
    SignedReport,
    Status,
    Unit,
)
from .people import display_name
from .reports import render_issued_pdf

logger = logging.getLogger(__name__)


def verification_url(token: str) -> str:
    return settings.ZHOUCUN_PUBLIC_URL.rstrip("/") + reverse("verify", kwargs={"token": token})


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def next_report_number(unit: Unit, year: int) -> str:
    counter, _created = ReportCounter.objects.select_for_update().get_or_create(
        unit=unit, year=year
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    prefix = unit.report_prefix or "稳评"
    return f"{prefix}〔{year}〕{counter.last_number}号"


def _seal_data_uri(unit: Unit) -> str | None:
    seal = Seal.objects.filter(unit=unit).first()
    if seal is None:
        return None
    return f"data:{seal.content_type};base64,{base64.b64encode(bytes(seal.image)).decode()}"


def issue_report(*, assessment_id: int) -> SignedReport:
    """Issue the approved assessment's report. Idempotent: an issued one is returned as is."""
    try:
        with transaction.atomic():
            assessment = (
                Assessment.objects.select_for_update()
                .select_related("owner_unit")
                .get(pk=assessment_id)
            )
            if assessment.status == Status.ISSUED:
                return assessment.signed_report
            if assessment.status != Status.APPROVED:
                raise workflow.TransitionRefused(f"not approved: {assessment.status}")
            approval = (
                ReviewEvent.objects.filter(assessment=assessment, to_status=Status.APPROVED)
                .select_related("actor", "version")
                .latest("created_at", "id")
            )
            approver = approval.actor
            approver_name = display_name(approver)
            identity = signing.signer_identity()
            signed_at = timezone.now()
            local_time = timezone.localtime(signed_at)
            number = next_report_number(assessment.owner_unit, local_time.year)
            token = secrets.token_urlsafe(24)
            url = verification_url(token)
            pdf, signature_box = render_issued_pdf(
                approval.version.content,
                issue={
                    "report_number": number,
                    "approver": approver_name,
                    "signed_at": local_time,
                    "signer": identity.name,
                    "fingerprint": identity.fingerprint,
                    "verify_url": url,
                    "qr_data_uri": qr_data_uri(url),
                    "seal_data_uri": _seal_data_uri(assessment.owner_unit),
                },
            )
            signed = signing.sign_pdf(
                pdf,
                reason=f"批准人：{approver_name}；报告编号：{number}",
                location=assessment.owner_unit.name,
                visible_box=signature_box,
            )
            # The file is written before the row commits: a rollback leaves at worst an
            # orphan file (listed by `manage.py reports_check`), never a row without its file.
            sha256 = storage.store_report(signed)
            report = SignedReport.objects.create(
                assessment=assessment,
                version=approval.version,
                report_number=number,
                approved_by=approver,
                sha256=sha256,
                signed_at=signed_at,
                signer=identity.name,
                certificate_fingerprint=identity.fingerprint,
                verification_token=token,
            )
            workflow.assessment_issue(assessment=assessment, actor=approver)
            return report
    except Exception:
        # Recorded for the administrators, then re-raised: the task is marked failed and the
        # transaction above has already rolled back, so nothing is half-issued.
        IssueFailure.objects.create(assessment_id=assessment_id, error=traceback.format_exc())
        logger.exception("Issuing assessment %s failed", assessment_id)
        raise


@task
def issue_report_task(assessment_id: int) -> str:
    return issue_report(assessment_id=assessment_id).report_number


def enqueue_issue(assessment: Assessment) -> None:
    """Issue once the surrounding transaction (the approval) has committed."""
    pk = assessment.pk
    transaction.on_commit(lambda: issue_report_task.enqueue(pk))
