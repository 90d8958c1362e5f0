"""Dramatiq actors. Enqueued after commit; safe to run twice (the claim decides)."""

from __future__ import annotations

import dramatiq

from notifications import services


# No Dramatiq retries or delays: retry times live in the row's send_at and the sweep enqueues
# them, so a broker restart cannot lose or duplicate a retry (FACTS.md, Dramatiq 2.x).
@dramatiq.actor(queue_name="notifications", max_retries=0, time_limit=120_000)
def deliver_notifications(notification_ids: list[int]) -> None:
    """One broker message per batch: the claim, the SELECT and the SMTP connection are shared."""
    services.notifications_deliver(notification_ids=notification_ids)


# Kept so messages already queued by an older release are still delivered after a deploy.
@dramatiq.actor(queue_name="notifications", max_retries=0, time_limit=120_000)
def deliver_notification(notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)
