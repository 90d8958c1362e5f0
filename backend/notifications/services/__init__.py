"""Writes for notifications (STYLE.md services), split by concern; import from here."""

from __future__ import annotations

from notifications.services.delivery import notification_deliver, notifications_deliver, notifications_sweep
from notifications.services.outbox import (
    DEFAULT_CHANNELS,
    EXPIRED,
    notification_cancel,
    notification_create,
    notification_create_for_address,
    notification_enqueue,
    notifications_cancel,
    notifications_enqueue,
)
from notifications.services.preferences import (
    account_email_send,
    kind_unsubscribe,
    notification_mark_read,
    notifications_mark_all_read,
    preferences_update,
)
from notifications.services.reminders import (
    QUIET_HOURS_MARGIN,
    register_reminder_planner,
    reminder_send_at,
    reminders_replan,
)

__all__ = [
    "DEFAULT_CHANNELS",
    "EXPIRED",
    "QUIET_HOURS_MARGIN",
    "account_email_send",
    "kind_unsubscribe",
    "notification_cancel",
    "notification_create",
    "notification_create_for_address",
    "notification_deliver",
    "notification_enqueue",
    "notification_mark_read",
    "notifications_cancel",
    "notifications_deliver",
    "notifications_enqueue",
    "notifications_mark_all_read",
    "notifications_sweep",
    "preferences_update",
    "register_reminder_planner",
    "reminder_send_at",
    "reminders_replan",
]
