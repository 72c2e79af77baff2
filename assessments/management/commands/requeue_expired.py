"""`manage.py requeue_expired`: queue again the tasks whose worker died while running them.

Every `manage.py worker` does this at each heartbeat; the command is for when no worker is
running (say, after all of them were killed) or for a cron job beside them."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from assessments.issuing import leases


class Command(BaseCommand):
    help = "Queue again the running tasks whose lease expired (their worker died)."

    def handle(self, *args, **options):
        requeued, given_up = leases.requeue_expired()
        self.stdout.write(f"Queued again: {requeued}; given up: {given_up}")
