"""Invariants of the outbox table, held by the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Channel, Notification, Status

pytestmark = pytest.mark.django_db


def test_notification_pending_row_with_a_claim_is_refused():
    # The sweep reads due rows through an index of unclaimed pending rows: a pending row that
    # kept its claim would never be sent.
    row = Notification.objects.create(
        to_email="someone@example.org", kind="account", channel=Channel.EMAIL, key="k:1"
    )
    Notification.objects.filter(pk=row.pk).update(status=Status.SENDING, claimed_at=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.filter(pk=row.pk).update(status=Status.PENDING)

    Notification.objects.filter(pk=row.pk).update(status=Status.PENDING, claimed_at=None)
    assert Notification.objects.get(pk=row.pk).status == Status.PENDING
