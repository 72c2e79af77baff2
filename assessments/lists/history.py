"""An assessment's review timeline, and the latest return with the author's reply to it."""

from __future__ import annotations

from ..models import Assessment, Status


def review_history(assessment: Assessment) -> dict:
    """The review timeline and the latest return (whose comment the author must see)."""
    events = list(
        assessment.review_events.select_related("actor", "version").order_by("created_at", "id")
    )
    returned = [event for event in events if event.to_status == Status.RETURNED]
    latest_return = returned[-1] if returned else None
    # The author's answer to that return: the comment of the resubmission after it.
    replies = [
        event
        for event in events
        if latest_return is not None
        and event.from_status == Status.RETURNED
        and (event.created_at, event.pk) > (latest_return.created_at, latest_return.pk)
        and event.comment
    ]
    return {
        "events": events,
        "latest_return": latest_return,
        "latest_reply": replies[0] if replies else None,
        "show_return_notice": latest_return is not None and assessment.status == Status.RETURNED,
    }
