"""Periodic jobs for every app: reminders due, waitlist expiry, gap alerts, digests, the sweep.

A domain app registers its jobs in its ``AppConfig.ready()``::

    register_periodic_job("scheduling.reminders", reminders_send_due, every=timedelta(minutes=1))

``fn(now)`` must work from database state ("everything due by now that is not done yet"), not
"run at exactly 18:00": after downtime the next run catches up. Each job has a row whose
``last_run_at`` is advanced by a conditional UPDATE before the job runs, so two scheduler
processes (a rolling deploy, a second replica) never run the same job in the same period.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from notifications.models import PeriodicJobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    fn: Callable[[datetime], object]
    every: timedelta


_jobs: dict[str, PeriodicJob] = {}


def register_periodic_job(name: str, fn: Callable[[datetime], object], every: timedelta) -> None:
    """Run ``fn(now)`` about every ``every``; registering a name again replaces it."""
    if every <= timedelta(0):
        raise ValueError("every must be positive")
    _jobs[name] = PeriodicJob(name=name, fn=fn, every=every)


def registered_jobs() -> dict[str, PeriodicJob]:
    return dict(_jobs)


def _claim(job: PeriodicJob, now: datetime) -> bool:
    PeriodicJobRun.objects.get_or_create(name=job.name)
    # Two schedulers racing for the same period: only one UPDATE matches the old last_run_at.
    return bool(
        PeriodicJobRun.objects.filter(name=job.name)
        .filter(Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - job.every))
        .update(last_run_at=now)
    )


def run_due_jobs(*, now: datetime | None = None) -> list[str]:
    """Run every job whose period has passed; a failing job is logged and does not stop others."""
    now = now or timezone.now()
    ran: list[str] = []
    for job in list(_jobs.values()):
        try:
            if not _claim(job, now):
                continue
        except Exception:
            logger.exception("Scheduler could not claim job %s", job.name)
            continue
        ran.append(job.name)
        try:
            job.fn(now)
        except Exception as exc:
            logger.exception("Periodic job %s failed", job.name)
            PeriodicJobRun.objects.filter(name=job.name).update(last_error=repr(exc)[:2000])
        else:
            PeriodicJobRun.objects.filter(name=job.name).exclude(last_error="").update(last_error="")
    return ran


def run_scheduler(stop_event: threading.Event, *, tick: float = 5.0) -> None:
    """Run due jobs every ``tick`` seconds until ``stop_event`` is set."""
    logger.info("Scheduler started with jobs: %s", ", ".join(sorted(_jobs)) or "none")
    while not stop_event.is_set():
        close_old_connections()
        try:
            run_due_jobs()
        except Exception:  # the database may be restarting; try again next tick
            logger.exception("Scheduler tick failed")
        stop_event.wait(tick)
    close_old_connections()
