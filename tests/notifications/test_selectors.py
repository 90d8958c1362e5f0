"""Reads: the failed notifications a domain app lists by a key of their context."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Status
from notifications.selectors import failed_notifications
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_failed_notifications_by_context_key_newest_first():
    now = timezone.now()
    older = NotificationFactory(
        status=Status.FAILED, context={"roster_id": 7}, failed_at=now - timedelta(hours=1)
    )
    newer = NotificationFactory(status=Status.FAILED, context={"roster_id": 7}, failed_at=now)
    never_recorded = NotificationFactory(status=Status.FAILED, context={"roster_id": 7}, failed_at=None)
    NotificationFactory(status=Status.FAILED, context={"roster_id": 8}, failed_at=now)
    NotificationFactory(status=Status.FAILED, context={"roster_id": "7"}, failed_at=now)  # not the same value
    NotificationFactory(status=Status.SENT, context={"roster_id": 7})
    NotificationFactory(status=Status.CANCELLED, context={"roster_id": 7})
    NotificationFactory(status=Status.FAILED, context={"circle_id": 7}, failed_at=now)

    listed = list(failed_notifications(context_key="roster_id", value=7))

    assert [n.pk for n in listed] == [newer.pk, older.pk, never_recorded.pk]


def test_failed_notifications_refuses_a_key_that_is_not_a_name():
    with pytest.raises(ValueError, match="Not a context key"):
        failed_notifications(context_key="roster_id__gt", value=1)
