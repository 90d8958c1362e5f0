from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.scheduler import register_periodic_job
        from scheduling.services import waitlist_offers_expire

        # An offer's hold ends at a time, not on an event: the scheduler passes lapsed offers on.
        register_periodic_job(
            "scheduling.waitlist_offers_expire",
            lambda now: waitlist_offers_expire(now=now),
            every=timedelta(minutes=1),
        )
