from __future__ import annotations

import factory

from notifications import services
from notifications.models import Channel, Notification, Status
from tests.factories import PersonFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(PersonFactory)
    kind = "greeting"
    channel = Channel.IN_APP
    template = "tests/greeting"
    context = factory.LazyFunction(lambda: {"name": "Ana", "when": "9:00"})
    key = factory.Sequence(lambda n: f"test:{n}")
    status = Status.SENT
    subject = "Hello"
    body = "Hi"
    sent_at = factory.LazyFunction(lambda: __import__("django.utils.timezone").utils.timezone.now())


def email_greeting(person, key: str, **kwargs) -> Notification:
    """One e-mail notification written through the outbox's own service (its key made unique)."""
    (row,) = services.notification_create(
        recipient=person,
        kind="greeting",
        template="",
        context={"subject": f"About {key}", "body": "Hello"},
        key=key,
        channels=["email"],
        **kwargs,
    )
    return row
