from __future__ import annotations

from datetime import timedelta

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from notifications import services
        from notifications.scheduler import register_periodic_job

        register_periodic_job(
            "notifications.sweep",
            lambda now: services.notifications_sweep(now=now),
            every=timedelta(minutes=1),
        )
        try:
            from accounts.mail import set_account_email_sender
        except ImportError:  # accounts without the hook: it sends its own mail
            return
        set_account_email_sender(services.account_email_send)
