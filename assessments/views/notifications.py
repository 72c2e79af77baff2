"""The notification list (issue 18, point 2): one's own notifications, newest first, a page
at a time by id (keyset: every page costs what the first costs), marked read one by one
or all at once. Another person's notification is a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ..models import Notification
from ..services import notifications

PAGE_SIZE = 50


@dataclass
class IdPage:
    """A page of the list in the shape `_pagination.html` reads ("after": older rows)."""

    items: list
    has_next: bool
    has_previous: bool
    next_cursor: int | None
    previous_cursor: int | None

    def __iter__(self):
        return iter(self.items)

    @property
    def paginated(self) -> bool:
        return self.has_next or self.has_previous


def _cursor(value: str | None) -> int | None:
    # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


def _page(user, after: int | None, before: int | None) -> IdPage:
    rows = notifications.inbox(user)
    if before is not None:
        # The page above `before`: read upwards, shown newest first.
        found = list(rows.filter(id__gt=before).order_by("id")[: PAGE_SIZE + 1])
        more = len(found) > PAGE_SIZE
        items = list(reversed(found[:PAGE_SIZE]))
        has_previous, has_next = more, True
    else:
        if after is not None:
            rows = rows.filter(id__lt=after)
        found = list(rows[: PAGE_SIZE + 1])
        items = found[:PAGE_SIZE]
        has_previous, has_next = after is not None, len(found) > PAGE_SIZE
    for item in items:
        item.text = notifications.notification_text(item)
    return IdPage(
        items=items,
        has_next=has_next and bool(items),
        has_previous=has_previous and bool(items),
        next_cursor=items[-1].pk if items else None,
        previous_cursor=items[0].pk if items else None,
    )


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = _page(
        request.user, _cursor(request.GET.get("after")), _cursor(request.GET.get("before"))
    )
    return render(request, "assessments/notifications.html", {"page": page, "query": ""})


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = (
        Notification.objects.filter(recipient=request.user, pk=notification_id)
        .only("pk", "assessment_id", "read_at")
        .first()
    )
    if notification is None:
        raise Http404
    notifications.mark_read(request.user, notification.pk)
    if request.POST.get("open") and notification.assessment_id:
        return redirect("assessments:detail", pk=notification.assessment_id)
    return redirect("assessments:notifications")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.mark_all_read(request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s notification marked read.",
                "%(count)s notifications marked read.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("There was nothing unread."))
    return redirect("assessments:notifications")
