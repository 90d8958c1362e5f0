"""`manage.py demo [--reset]`: load the demo world once (idempotent) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from village.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_exists, demo_remove, demo_seed

STEPS = 5


class Command(BaseCommand):
    help = "Load demo data (an organisation, two circles, volunteers, a helpline roster) and print logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="Remove the demo data first, then load it again."
        )

    def handle(self, *args: Any, reset: bool, **options: Any) -> None:
        if reset:
            demo_remove()
        if demo_exists():
            self.stdout.write("Demo data is already loaded (make demo re-seeds it).")
        else:
            with tqdm(total=STEPS, desc="demo data", unit="step") as bar:

                def progress(step: str) -> None:
                    bar.set_postfix_str(step)
                    bar.update(1)

                demo_seed(progress)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.email:28} {login.role}")
