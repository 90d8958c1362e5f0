from __future__ import annotations

import factory

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
