"""`manage.py daily_reminders`: the day's "due soon" and "overdue" notifications (and their
e-mails), exactly once per date however many machines run it (see
`assessments.services.reminders`). Meant for cron or a systemd timer; each worker
(`manage.py worker`) also runs it once a day after ZHOUCUN_REMINDERS_HOUR."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from assessments.services import reminders


class Command(BaseCommand):
    help = "Create the day's due-soon and overdue reminders, once per date."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="The date to run for (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args, date=None, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError(f"--date must be YYYY-MM-DD: {date!r}") from error
        created = reminders.run_daily(day)
        if created is None:
            self.stdout.write("The reminders for this date ran already: nothing to do.")
        else:
            self.stdout.write(f"{created} reminder(s) created.")
