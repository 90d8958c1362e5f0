"""Marking delivered rows sent: one committed UPDATE per message, sent ahead on PostgreSQL.

Delivery commits each row as ``sent`` after the mail server accepted it and before it hands the
next message to the server (``delivery.notifications_deliver``): so a worker that dies mid-batch
leaves at most one accepted message unmarked, the one the sweep resends, and sends nothing twice
otherwise. Waiting for that UPDATE's answer was the largest cost of a message after SMTP itself
(the worker blocked on a round trip, its threads handing the GIL about). On PostgreSQL the
UPDATE now goes out without waiting; its answer is read after the next message is rendered,
just before that message goes to the server, so the round trip overlaps work the worker does
anyway and the answer is usually there already. Measured on the bench's batched side (4 threads,
the SMTP server in the process): about a quarter more messages per second. Elsewhere (SQLite) the
UPDATE runs at once.
"""

from __future__ import annotations

import selectors
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone

from notifications.models import Channel, Notification


def mark_sent_sql(placeholders: Sequence[str] = ("%s",) * 5) -> str:
    """The UPDATE to sent; parameters (sent_at, subject, body, id, claim_token).

    Only the claim that sent the row marks it (the same conditions as a failure's UPDATE).
    """
    sent_at, subject, body, pk, token = placeholders
    table = connection.ops.quote_name(Notification._meta.db_table)
    return (
        f"UPDATE {table} SET status = 'sent', sent_at = {sent_at}, attempts = attempts + 1, "  # noqa: S608
        f"last_error = '', subject = {subject}, body = {body} "
        f"WHERE id = {pk} AND status = 'sending' AND claim_token = {token}"
    )


class SentMarks:
    """The UPDATEs to sent of one batch, in order; at most one is ever waiting for its answer.

    Between ``mark`` and ``settle`` nothing else may use the database connection: the caller
    renders the next message (no queries) and settles before anything else.
    """

    def __init__(self) -> None:
        self._waiting: Any = None  # the libpq connection whose last UPDATE is not answered yet

    def mark(self, row: Notification, *, token: uuid.UUID, subject: str, body: str) -> None:
        """Mark ``row`` sent by this claim; on PostgreSQL the answer is read by ``settle``."""
        self.settle()
        body = body if row.channel == Channel.IN_APP else ""
        if connection.vendor != "postgresql":
            token_value = Notification._meta.get_field("claim_token").get_db_prep_value(token, connection)
            sent_at = connection.ops.adapt_datetimefield_value(timezone.now())
            with connection.cursor() as cursor:
                cursor.execute(mark_sent_sql(), [sent_at, subject, body, row.pk, token_value])
            return
        connection.ensure_connection()
        pgconn = connection.connection.pgconn  # psycopg's documented libpq wrapper
        encoding = connection.connection.info.encoding
        values = [timezone.now().isoformat(), subject, body, str(row.pk), str(token)]
        with connection.wrap_database_errors:
            # Parameters as text, their types the columns'. One statement with its own Sync: the
            # server commits it as soon as it has run it, whether or not we are there to read.
            pgconn.send_query_params(
                mark_sent_sql(("$1", "$2", "$3", "$4", "$5")).encode(encoding),
                [value.encode(encoding) for value in values],
            )
            while pgconn.flush():  # the socket's buffer was full: send the rest
                _wait(pgconn.socket, selectors.EVENT_WRITE)
        self._waiting = pgconn
        # Not in Django's query log, being sent outside its cursor.

    def settle(self) -> None:
        """Return once the UPDATE sent last is committed; DatabaseError if it failed."""
        pgconn = self._waiting
        if pgconn is None:
            return
        try:
            with connection.wrap_database_errors:
                pgconn.consume_input()
                while pgconn.is_busy():
                    _wait(pgconn.socket, selectors.EVENT_READ)
                    pgconn.consume_input()
                errors = []
                while (result := pgconn.get_result()) is not None:
                    if result.error_message:
                        errors.append(result.get_error_message(connection.connection.info.encoding))
        except Exception:
            self._waiting = None  # the connection is broken: nothing more to read
            raise
        # Cleared only now: interrupted in between (the actor's time limit raises in the thread),
        # the answer is still to be read, and the batch's last settle reads it.
        self._waiting = None
        if errors:
            raise DatabaseError(f"Could not mark a notification sent: {errors[0]}")


def _wait(fd: int, event: int) -> None:
    with selectors.DefaultSelector() as selector:
        selector.register(fd, event)
        selector.select()
