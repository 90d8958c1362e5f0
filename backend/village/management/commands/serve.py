"""`manage.py serve`: the embedded default in one process — web server, Dramatiq worker, scheduler."""

from __future__ import annotations

from typing import Any

import dramatiq
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from village.embedded import start_background_workers


class Command(BaseCommand):
    help = "Serve the API and web app with an in-process worker and scheduler (embedded default)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, addrport: str, **options: Any) -> None:
        if settings.VILLAGE_EMBEDDED_WORKER:
            start_background_workers()
            self.stdout.write(f"worker: in-process ({dramatiq.get_broker().__class__.__name__})")
        self.stdout.write(f"Village is at http://{addrport}/  (Ctrl-C stops everything)")
        # The autoreloader would fork a second process with a second worker; serve once.
        call_command("runserver", addrport, use_reloader=False)
