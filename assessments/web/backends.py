"""The authentication backend: Django's ModelBackend, reading the signed-in user with the
count of their unread notifications in the same query.

Every request reads its user once (AuthenticationMiddleware); the navigation's unread
count rides on that query as a bounded subquery over the index (recipient, read_at, id),
so no page pays a query for it. Counting stops at UNREAD_CAP: the navigation shows "99+"
beyond, and a person with a million unread rows costs a hundred index entries, not a
million.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import IntegerField, OuterRef, Subquery

from ..models import Notification

UNREAD_CAP = 100


class CappedCount(Subquery):
    """How many rows a sliced subquery gives: COUNT(*) over it, so the database stops
    reading at the slice's end."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()


def unread_expression() -> CappedCount:
    """The user's unread notifications, counted up to UNREAD_CAP (SQLite and PostgreSQL)."""
    unread = Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
    return CappedCount(unread.order_by().values("id")[:UNREAD_CAP])


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        model = get_user_model()
        try:
            user = model._default_manager.annotate(unread_notifications=unread_expression()).get(
                pk=user_id
            )
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
