"""The daily job inside each worker (`manage.py worker`): once the local time has passed
ZHOUCUN_REMINDERS_HOUR, the first worker to look runs the day's reminders, in a thread of
its own so its heartbeat never waits for it. The others, on any machine, find the date
done: `reminders.run_daily` holds the same once-per-date lock as `manage.py
daily_reminders` from cron."""

from __future__ import annotations

import datetime
import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from ..services import reminders

logger = logging.getLogger(__name__)


class DailyJobs:
    def __init__(self, worker_id: str) -> None:
        self.worker_id = worker_id
        self.done_for: datetime.date | None = None
        self.thread: threading.Thread | None = None

    def poll(self, now: datetime.datetime | None = None) -> threading.Thread | None:
        """Called at each heartbeat: start the day's run when it is due and not done (one
        indexed read once a day once it is done). Returns the thread it started."""
        now = timezone.localtime(now)
        today = now.date()
        if self.done_for == today or now.hour < settings.ZHOUCUN_REMINDERS_HOUR:
            return None
        if self.thread is not None and self.thread.is_alive():
            return None
        if reminders.ran_on(today):
            self.done_for = today
            return None
        self.thread = threading.Thread(
            target=self._run, args=(today,), name="daily-reminders", daemon=True
        )
        self.thread.start()
        return self.thread

    def _run(self, today: datetime.date) -> None:
        try:
            created = reminders.run_daily(today, host=self.worker_id)
            self.done_for = today
            if created is not None:
                logger.info("Daily reminders for %s: %s created", today, created)
        except DatabaseError:
            # Tried again at the next heartbeat; the lock keeps it to one run.
            logger.warning("The daily reminders could not run", exc_info=True)
        finally:
            connection.close()
