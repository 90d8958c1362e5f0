from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from accounts.models import Person


class SchedulingConfig(AppConfig):
    name = "scheduling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications.kinds import register_notification_kind
        from notifications.scheduler import register_periodic_job
        from notifications.services import register_reminder_planner
        from scheduling.jobs import DIGEST_EVERY, GAP_ALERT_EVERY, gap_alerts_send, weekly_digests_send
        from scheduling.notify import KINDS
        from scheduling.services import waitlist_offers_expire

        # An offer's hold ends at a time, not on an event: the scheduler passes lapsed offers on.
        register_periodic_job(
            "scheduling.waitlist_offers_expire",
            lambda now: waitlist_offers_expire(now=now),
            every=timedelta(minutes=1),
        )
        register_periodic_job("scheduling.gap_alerts", gap_alerts_send, every=GAP_ALERT_EVERY)
        register_periodic_job("scheduling.weekly_digests", weekly_digests_send, every=DIGEST_EVERY)
        # A new lead time, quiet hours or time zone moves the reminders of places already held.
        register_reminder_planner(_reschedule_reminders)
        for kind, (label, label_es) in KINDS.items():
            register_notification_kind(kind, label=label, label_es=label_es)


def _reschedule_reminders(person: Person) -> None:
    from scheduling.notify import reminders_reschedule

    reminders_reschedule(person=person)
