"""Notifications (issue 18, point 2): who is told what, in the product and by e-mail.

`notify` is the one way to tell people something: it stores the kind and the parameters
of the text (never the text: it is rendered in the reader's language when shown, see
`notification_text`) and, once the surrounding transaction has committed, mails each
recipient who has an e-mail address through Django's mail settings. A person without one
gets only the notification in the product.

Other code (the workflow's transitions here, filing, the daily reminders) calls `notify`
with the recipients it chose; `unit_people` names the usual ones.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..common.names import display_name
from ..models import Assessment, Notification, NotificationKind, Role

logger = logging.getLogger(__name__)

Kind = NotificationKind

# The text of each kind, with the names of its parameters. Unknown parameters print "…".
TEXTS = {
    Kind.RETURNED: _("“%(title)s” was returned for revision by %(actor)s: %(comment)s"),
    Kind.APPROVED: _("“%(title)s” was approved by %(actor)s; its report is being issued."),
    Kind.ISSUED: _("The report on “%(title)s” was issued with number %(number)s."),
    Kind.FILING_RECEIVED: _("The filing of “%(title)s” was received by %(unit)s."),
    Kind.FILING_ANSWERED: _("The filing of “%(title)s” was answered by %(unit)s."),
    Kind.DUE_SOON: _("%(what)s of “%(title)s” is due on %(due)s."),
    Kind.OVERDUE: _("%(what)s of “%(title)s” was due on %(due)s and is overdue."),
}

# What falls due, for the "due soon" and "overdue" texts (the `what` parameter).
SUBJECTS = {
    "review": _("The review"),
    "tracking": _("The tracking"),
    "filing": _("The filing"),
}


class _Params(dict):
    """The stored parameters; one the text asks for but the row lacks prints as "…"."""

    def __missing__(self, key):
        return "…"


def notification_text(notification: Notification) -> str:
    """The notification's words in the active language."""
    params = _Params(notification.params or {})
    if "what" in params:
        subject = SUBJECTS.get(params["what"])
        params["what"] = gettext(subject) if subject is not None else params["what"]
    template = TEXTS.get(notification.kind)
    if template is None:
        return notification.get_kind_display()
    return gettext(template) % params


def unit_people(unit_id: int, roles: Iterable[str]):
    """The active members holding one of `roles` in the unit (one query when read)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__unit_id=unit_id, memberships__role__in=roles)
        .distinct()
    )


def notify(
    recipients: Iterable,
    kind: str,
    *,
    assessment: Assessment | None = None,
    params: dict | None = None,
    key: str = "",
    day: datetime.date | None = None,
) -> list[Notification]:
    """Tell each recipient once. With `key` (what it is about, e.g. "tracking:12") and `day`
    a recipient already told (kind, key, day) is not told again. Returns the new rows; their
    e-mails go once the surrounding transaction commits (at once outside one)."""
    if kind not in Kind.values:
        raise ValueError(f"unknown notification kind {kind!r}")
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if key and people:
        told = Notification.objects.filter(
            recipient_id__in=list(people), kind=kind, key=key, day=day
        ).values_list("recipient_id", flat=True)
        for pk in told:
            people.pop(pk, None)
    if not people:
        return []
    params = dict(params or {})
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            assessment=assessment,
            params=params,
            key=key,
            day=day,
            created_at=now,
        )
        for pk in sorted(people)
    ]
    # A concurrent run that told someone in between is not an error: that row stays.
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    mailed = [(people[row.recipient_id], row) for row in rows if people[row.recipient_id].email]
    if mailed:
        transaction.on_commit(lambda: send_mails(mailed))
    return rows


def _absolute(path: str) -> str:
    return settings.ZHOUCUN_PUBLIC_URL.rstrip("/") + path


def _message(user, notification: Notification) -> EmailMessage:
    # Mail is read outside the product: in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        text = notification_text(notification)
        lines = [gettext("Dear %(name)s,") % {"name": display_name(user)}, "", text, ""]
        if notification.assessment_id:
            path = reverse("assessments:detail", kwargs={"pk": notification.assessment_id})
            lines.append(gettext("The assessment: %(url)s") % {"url": _absolute(path)})
        lines.append(
            gettext("All your notifications: %(url)s")
            % {"url": _absolute(reverse("assessments:notifications"))}
        )
        subject = gettext("[WenPing] %(kind)s") % {"kind": notification.get_kind_display()}
    return EmailMessage(
        subject=subject,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def send_mails(mailed: list[tuple]) -> int:
    """Send one e-mail per (user, notification). A mail server that is down loses the mail,
    logged, never the notification in the product (already committed)."""
    messages = [_message(user, row) for user, row in mailed]
    try:
        return mailers.default.send_messages(messages) or 0
    except (OSError, smtplib.SMTPException):
        logger.warning("%s notification e-mail(s) could not be sent", len(messages), exc_info=True)
        return 0


# --- the workflow's transitions ------------------------------------------------------------


def on_transition(name: str, assessment: Assessment, actor, *, comment: str = "") -> None:
    """Tell the unit's people that an assessment was returned, approved or issued (called
    by `workflow`, inside the transition's transaction: no transition, no notification)."""
    title = assessment.title or assessment.project_name
    if name == "return":
        kind, roles = Kind.RETURNED, (Role.ASSESSOR,)
        params = {"title": title, "actor": display_name(actor), "comment": comment}
    elif name == "approve":
        kind, roles = Kind.APPROVED, (Role.ASSESSOR,)
        params = {"title": title, "actor": display_name(actor)}
    elif name == "issue":
        kind, roles = Kind.ISSUED, (Role.ASSESSOR, Role.CLERK)
        number = getattr(getattr(assessment, "signed_report", None), "report_number", "")
        params = {"title": title, "number": number}
    else:
        return
    people = list(unit_people(assessment.owner_unit_id, roles))
    author = assessment.author
    if all(person.pk != author.pk for person in people):
        people.append(author)
    if name != "issue":
        # Who acted knows already; issuing is the system's, so the approver is told too.
        people = [person for person in people if person.pk != actor.pk]
    notify(people, kind, assessment=assessment, params=params)


# --- the list ----------------------------------------------------------------------------


def inbox(user):
    """The user's notifications, newest first (the list's index: recipient, read_at, id)."""
    return Notification.objects.filter(recipient=user).order_by("-id")


@transaction.atomic
def mark_read(user, notification_id: int) -> bool:
    """Mark one of the user's own notifications read. False: not theirs, or already read."""
    return bool(
        Notification.objects.filter(
            recipient=user, pk=notification_id, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


@transaction.atomic
def mark_all_read(user) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
