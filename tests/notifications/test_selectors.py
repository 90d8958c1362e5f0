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


def test_preferences_read_once_reads_each_person_once_inside_the_block_only(django_assert_num_queries):
    from notifications.models import NotificationPreference
    from notifications.selectors import preferences_get, preferences_read_once
    from tests.factories import PersonFactory

    ana, ben = PersonFactory(), PersonFactory()
    NotificationPreference.objects.create(person=ana, reminder_lead_minutes=[30])

    with django_assert_num_queries(2), preferences_read_once():
        with preferences_read_once():  # nested: shares the outer block's reads
            assert preferences_get(person=ana).reminder_lead_minutes == [30]
        assert preferences_get(person=ana).reminder_lead_minutes == [30]
        assert preferences_get(person=ben).pk is None  # the defaults, remembered too
        assert preferences_get(person=ben).pk is None
    with django_assert_num_queries(2):
        preferences_get(person=ana)
        preferences_get(person=ana)
