"""`manage.py scheduler`: run periodic jobs (the notification sweep, reminders, digests) until stopped."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from notifications.scheduler import run_due_jobs, run_scheduler


class Command(BaseCommand):
    help = "Run the periodic jobs every app registered (safe to run more than one)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="Run due jobs once and exit.")
        parser.add_argument("--tick", type=float, default=5.0, help="Seconds between checks.")

    def handle(self, *args: Any, once: bool, tick: float, **options: Any) -> None:
        if once:
            ran = run_due_jobs()
            self.stdout.write(f"ran: {', '.join(ran) or 'nothing due'}")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        run_scheduler(stop, tick=tick)
