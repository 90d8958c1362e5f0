"""The outbox's partial indexes on PostgreSQL: who reads which index, asked of the planner.

The scene is the one that went wrong: statistics taken while the outbox held only mail already
sent (the usual state), then a burst arrives. The sweep must still find what is due and what is
stuck through its indexes, the inbox through its own, and the statements of delivery that name
rows by id (the claim, the batch's SELECT, the UPDATE to sent) must go by the primary key, not
read every row due or in flight once per message through a partial index the planner believes
empty.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import selectors, services
from notifications.models import Channel, Notification, Status
from notifications.services import delivery, sent
from tests.factories import PersonFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PRIMARY_KEY = "notifications_notification_pkey"


def indexes_used(sql: str | QuerySet[Notification]) -> set[str]:
    """The indexes of the outbox table in the plan PostgreSQL picks for ``sql`` (not run)."""
    if isinstance(sql, QuerySet):
        plan = json.loads(sql.explain(format="json"))
    else:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (plan,) = cursor.fetchone()
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("Relation Name") == Notification._meta.db_table and "Index Name" in node:
                found.add(node["Index Name"])
            if node.get("Relation Name") == Notification._meta.db_table and node["Node Type"] == "Seq Scan":
                found.add("(seq scan)")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(plan)
    return found


def statements(captured: CaptureQueriesContext, needle: str) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if needle in q["sql"]]


@pytest.fixture
def outbox_after_a_quiet_spell():
    """Thousands of sent e-mails and a person's inbox, analysed; then a burst of due rows."""
    person = PersonFactory()
    sent_at = timezone.now() - timedelta(days=3)
    Notification.objects.bulk_create(
        [
            Notification(
                to_email=f"someone{i}@example.org",
                kind="account",
                channel=Channel.EMAIL,
                key=f"old:{i}",
                status=Status.SENT,
                send_at=sent_at,
                claimed_at=sent_at,
                sent_at=sent_at,
                subject="Welcome",
            )
            for i in range(4000)
        ]
        + [
            Notification(
                recipient=person,
                kind="greeting",
                channel=channel,
                key=f"mine:{channel}:{i}",
                status=Status.SENT,
                send_at=sent_at,
                sent_at=sent_at + timedelta(minutes=i),
                read_at=sent_at if i % 2 else None,
                subject=f"Hello {i}",
            )
            for i in range(40)
            for channel in (Channel.EMAIL, Channel.IN_APP)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Notification._meta.db_table}")
    due = timezone.now() - timedelta(minutes=1)
    burst = Notification.objects.bulk_create(
        [
            Notification(
                to_email=f"new{i}@example.org",
                kind="account",
                channel=Channel.EMAIL,
                key=f"new:{i}",
                send_at=due,
            )
            for i in range(300)
        ]
    )
    return person, burst


def test_notifications_sweep_finds_due_and_stuck_rows_through_its_indexes(
    outbox_after_a_quiet_spell, enqueued
):
    _, burst = outbox_after_a_quiet_spell
    lease = timezone.now() - timedelta(hours=1)
    Notification.objects.filter(pk__in=[row.pk for row in burst[:20]]).update(
        status=Status.SENDING, claimed_at=lease, claim_token=uuid.uuid4()
    )

    with CaptureQueriesContext(connection) as captured:
        services.notifications_sweep(now=timezone.now(), limit=100)

    # What is stuck in "sending": the lookup and the three UPDATEs that settle it.
    stale = statements(captured, "'sending'")
    assert len(stale) == 4
    assert [indexes_used(sql) for sql in stale] == [{"notification_stale_idx"}] * 4
    # What is due (written as the index's predicate, see delivery._due): expired rows, in-app
    # rows, and the rows handed to the broker.
    due = [
        sql for sql in statements(captured, "'pending'") if sql not in stale and 'claimed_at" IS NULL' in sql
    ]
    assert len(due) == 3
    assert [indexes_used(sql) for sql in due] == [{"notification_sweep_idx"}] * 3


def test_notifications_deliver_goes_by_primary_key_with_a_burst_in_flight(outbox_after_a_quiet_spell):
    _, burst = outbox_after_a_quiet_spell
    # Other workers' batches in flight, as with four threads at work.
    Notification.objects.filter(pk__in=[row.pk for row in burst[50:250]]).update(
        status=Status.SENDING, claimed_at=timezone.now(), claim_token=uuid.uuid4()
    )
    batch = [row.pk for row in burst[:50]]

    with CaptureQueriesContext(connection) as captured:
        outcomes = delivery.notifications_deliver(notification_ids=batch)
    assert outcomes == dict.fromkeys(batch, "sent")

    claim = statements(captured, "SET \"status\" = 'sending'")
    select = [q for q in statements(captured, "SELECT") if "claim_token" in q]
    assert (len(claim), len(select)) == (1, 1)
    # The UPDATE to sent bypasses Django's query log: planned here as it is sent, for one row.
    row = Notification.objects.get(pk=batch[-1])
    mark = connection.ops.compose_sql(
        sent.mark_sent_sql(), [timezone.now(), row.subject, "", row.pk, row.claim_token]
    )
    # Planned with the statistics of the quiet spell still (nothing in this transaction analyses).
    assert indexes_used(claim[0]) == {PRIMARY_KEY}
    assert indexes_used(select[0]) == {PRIMARY_KEY}
    assert indexes_used(mark) == {PRIMARY_KEY}


def test_inbox_reads_go_through_the_inbox_index(outbox_after_a_quiet_spell):
    person, _ = outbox_after_a_quiet_spell

    listing = selectors.inbox_list(person=person)[:20]
    unread = selectors.inbox_list(person=person, unread=True)

    assert indexes_used(listing) == {"notification_inbox_idx"}
    assert indexes_used(unread) == {"notification_inbox_idx"}
