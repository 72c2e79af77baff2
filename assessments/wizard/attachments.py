"""The evidence files a step shows and takes: the same list and upload form for the standard
record's steps and the simple assessment's risk step."""

from __future__ import annotations

from ..models import Assessment, AttachmentSection


def attachment_context(assessment: Assessment, section: str) -> dict:
    """The step's files of `section`, oldest first, and the activities they may name."""
    activities = sorted(assessment.activities.all(), key=lambda a: (a.order, a.pk))
    number = {a.pk: n for n, a in enumerate(activities, start=1)}
    files = [
        {"file": f, "activity_number": number.get(f.activity_id)}
        for f in sorted(assessment.attachments.all(), key=lambda f: (f.uploaded_at, f.pk))
        if f.section == section
    ]
    return {
        "attachment_section": section,
        # Evidence of consultation names the activity it documents.
        "attachments_name_activity": section == AttachmentSection.ACTIVITY,
        "attachments": files,
        "attachment_activities": [(number[a.pk], a) for a in activities],
    }
