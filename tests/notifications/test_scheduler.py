from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from notifications import scheduler
from notifications.models import PeriodicJobRun

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 18, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def jobs(monkeypatch):
    monkeypatch.setattr(scheduler, "_jobs", {})
    return scheduler


def test_run_due_jobs_runs_each_job_once_per_period(jobs):
    calls: list[datetime] = []
    jobs.register_periodic_job("test.every_10m", calls.append, every=timedelta(minutes=10))

    assert jobs.run_due_jobs(now=T0) == ["test.every_10m"]
    assert jobs.run_due_jobs(now=T0 + timedelta(minutes=5)) == []
    assert jobs.run_due_jobs(now=T0 + timedelta(minutes=10)) == ["test.every_10m"]
    # After three hours of downtime it runs once and the job catches up from database state.
    assert jobs.run_due_jobs(now=T0 + timedelta(hours=3)) == ["test.every_10m"]
    assert calls == [T0, T0 + timedelta(minutes=10), T0 + timedelta(hours=3)]


def test_run_due_jobs_a_failing_job_does_not_stop_the_others(jobs):
    calls: list[str] = []

    def broken(now: datetime) -> None:
        raise RuntimeError("boom")

    jobs.register_periodic_job("test.broken", broken, every=timedelta(minutes=1))
    jobs.register_periodic_job("test.fine", lambda now: calls.append("fine"), every=timedelta(minutes=1))

    assert jobs.run_due_jobs(now=T0) == ["test.broken", "test.fine"]
    assert calls == ["fine"]
    assert PeriodicJobRun.objects.get(name="test.broken").last_error == "RuntimeError('boom')"


def test_run_due_jobs_two_schedulers_do_not_double_run(jobs):
    calls: list[datetime] = []
    jobs.register_periodic_job("test.once", calls.append, every=timedelta(minutes=1))
    PeriodicJobRun.objects.create(name="test.once", last_run_at=T0 - timedelta(minutes=2))

    # Scheduler B read the same old last_run_at; A's conditional UPDATE moved it first.
    assert jobs._claim(jobs._jobs["test.once"], T0) is True
    assert jobs._claim(jobs._jobs["test.once"], T0 + timedelta(seconds=1)) is False


def test_sweep_is_registered_every_minute():
    job = scheduler.registered_jobs()["notifications.sweep"]
    assert job.every == timedelta(minutes=1)


def test_scheduler_command_once_runs_the_sweep(capsys):
    call_command("scheduler", "--once")
    assert "notifications.sweep" in capsys.readouterr().out
    assert PeriodicJobRun.objects.filter(name="notifications.sweep").count() == 1


def test_run_scheduler_runs_jobs_until_stopped(jobs, transactional_db):
    import threading
    import time

    calls: list[datetime] = []
    jobs.register_periodic_job("test.loop", calls.append, every=timedelta(hours=1))
    stop = threading.Event()
    thread = threading.Thread(target=jobs.run_scheduler, args=(stop,), kwargs={"tick": 0.01})
    thread.start()
    deadline = time.monotonic() + 10
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=10)
    assert (len(calls), thread.is_alive()) == (1, False)
