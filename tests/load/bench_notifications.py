"""Notification delivery throughput: outbox → broker → worker threads → SMTP, against bare smtplib.

Ours: N rows written with ``notification_create`` (no worker running, so all are queued), then a
Dramatiq worker with THREADS threads is started in this process on the configured broker (Redis
under ``make bench``) and timed until every row is ``sent`` at a local aiosmtpd server. That is the
whole production path per message: broker fetch and ack, the claiming UPDATE, loading the row,
rendering, SMTP on the thread's reused connection, the UPDATE to ``sent``.
Baseline: one bare ``smtplib`` loop on one connection sending the same N rendered messages to
the same server. The ratio is the price of durability (per message: broker fetch and ack, a
claiming UPDATE, a SELECT, an UPDATE to sent, each committed). Goal: the evening peak of
~50 msg/s (ARCHITECTURE.md) from at most two worker processes, i.e. ≥ 25 msg/s for this one.
Measured while writing it on the shared 2-core machine (load ~9): ~21–26 msg/s against ~280–320
for the bare loop (0.08×).
"""

from __future__ import annotations

import random
import smtplib
import threading
import time
from typing import Any

MESSAGES = 1000
THREADS = 4
SEED = 20261123


class _Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("benchmark timed out")
        time.sleep(0.02)


def run(progress: Any) -> list[dict[str, Any]]:
    import logging

    import dramatiq
    from aiosmtpd.controller import Controller
    from django.test.utils import override_settings

    from accounts.models import Person
    from notifications import services, tasks
    from notifications.channels import EmailChannel
    from notifications.models import Notification, Status
    from notifications.rendering import render_notification

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    rng = random.Random(SEED)
    run_id = f"{rng.randrange(10**9)}-{time.time_ns()}"
    handler = _Counter()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_settings = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
        "NOTIFICATION_INLINE_DELIVERY": False,
    }
    try:
        with override_settings(**smtp_settings):
            progress(f"writing {MESSAGES} outbox rows")
            person = Person.objects.create_user(f"bench-notify-{run_id}@example.org", "x" * 12, name="Bench")
            broker = dramatiq.get_broker()
            broker.flush(tasks.deliver_notification.queue_name)
            ids = []
            for i in range(MESSAGES):
                (row,) = services.notification_create(
                    recipient=person,
                    kind="bench",
                    template="",
                    context={
                        "subject": f"Reminder {i}: your shift tomorrow",
                        "body": "See you at 9:00.\n" * 5,
                    },
                    key=f"bench:{run_id}:{i}",
                    channels=["email"],
                )
                ids.append(row.pk)
            # The same messages, rendered the same way, for the bare loop.
            channel = EmailChannel()
            rows = list(Notification.objects.filter(pk__in=ids).select_related("recipient"))
            raw = []
            for row in rows:
                rendered = render_notification(row)
                captured: list[Any] = []
                channel._send = captured.append  # type: ignore[method-assign]
                channel.deliver(row, rendered)
                raw.append(captured[0].message().as_bytes())

            progress(f"delivering {MESSAGES} with a {THREADS}-thread worker")
            before = handler.count
            worker = dramatiq.Worker(
                broker, worker_threads=THREADS, queues={tasks.deliver_notification.queue_name}
            )
            started = time.perf_counter()
            worker.start()
            _wait(
                lambda: Notification.objects.filter(pk__in=ids, status=Status.SENT).count() == MESSAGES, 300
            )
            ours_elapsed = time.perf_counter() - started
            worker.stop(timeout=10_000)
            delivered = handler.count - before

        progress(f"bare smtplib loop, {MESSAGES} messages")
        before = handler.count
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as client:
            for message in raw:
                client.sendmail("village@localhost", [person.email], message)
        base_elapsed = time.perf_counter() - started
        base_delivered = handler.count - before
    finally:
        controller.stop()

    return [
        {
            "name": f"e-mail delivery, {MESSAGES} messages, worker with {THREADS} threads",
            "ours": MESSAGES / ours_elapsed,
            "baseline": MESSAGES / base_elapsed,
            "unit": "msg/s",
            "higher_is_better": True,
            "goal": "≥ 25 msg/s per worker process (50/s peak on 2)",
            "note": f"broker {type(broker).__name__}; server got {delivered} (ours) and {base_delivered} "
            "(bare) messages; ours claims and marks each row in PostgreSQL",
        }
    ]
