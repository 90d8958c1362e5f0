from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from accounts.models import Person


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.hooks import register_person_updated
        from accounts.mail import set_account_email_sender
        from notifications import services
        from notifications.scheduler import register_periodic_job

        register_periodic_job(
            "notifications.sweep",
            lambda now: services.notifications_sweep(now=now),
            every=timedelta(minutes=1),
        )
        set_account_email_sender(services.account_email_send)
        register_person_updated(_replan_on_new_time_zone)


def _replan_on_new_time_zone(person: Person, changed: Collection[str]) -> None:
    # Whole-day lead times and quiet hours are wall-clock times in the person's zone.
    if "time_zone" in changed:
        from notifications.services import reminders_replan

        reminders_replan(person=person)
