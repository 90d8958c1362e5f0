"""Real parts for the reliability tests: an SMTP server, a Redis server, a Dramatiq worker process."""

from __future__ import annotations

import asyncio
import email
import email.message
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from aiosmtpd.controller import Controller
from django.db import connection

# aiosmtpd logs every SMTP command at INFO: thousands of lines per test.
logging.getLogger("mail.log").setLevel(logging.WARNING)

REPO = Path(__file__).resolve().parents[2]
BACKEND = REPO / "backend"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], *, timeout: float, interval: float = 0.1, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what or condition}")


class StoringHandler:
    """Stores every accepted message; ``hold`` makes new messages wait before being accepted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.message_ids: list[str] = []
        self.messages: list[email.message.Message] = []
        self.hold = threading.Event()
        self.release = threading.Event()
        self.held = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.hold.is_set():
            with self.lock:
                self.held += 1
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            # Never stored: the client is gone (killed) by the time we answer.
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content)
        with self.lock:
            self.message_ids.append(str(message["Message-ID"]))
            self.messages.append(message)
        return "250 OK"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(self.message_ids)

    def received(self, message_id: str) -> list[email.message.Message]:
        """Every accepted copy of the message with this Message-ID."""
        with self.lock:
            return [m for m in self.messages if str(m["Message-ID"]) == message_id]


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = StoringHandler()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class RedisServer:
    """A throwaway redis-server of our own, so a test may stop it (never the shared one)."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what="redis-server to start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


def test_database_url() -> str:
    """The pytest test database; committed rows (transaction=True tests) are visible to workers."""
    s = connection.settings_dict
    assert s["ENGINE"] == "django.db.backends.postgresql", "reliability tests need PostgreSQL"
    user = s["USER"] or "village"
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class WorkerProcess:
    """``dramatiq django_dramatiq.setup notifications.tasks``: a real worker in its own process group."""

    def __init__(self, *, redis_url: str, smtp_port: int, log: Path, extra_env: dict[str, str] | None = None):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "village.settings",
            "PYTHONPATH": f"{BACKEND}{os.pathsep}{REPO}",
            "SECRET_KEY": "tests-only-not-a-secret",
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "NOTIFICATION_SMTP_TIMEOUT": "10",
            "SECURE_SSL_REDIRECT": "false",
            "VILLAGE_VAR_DIR": str(log.parent),
            "SITE_URL": "https://village.example.org",
            "dramatiq_restart_delay": "300",
            "LOG_LEVEL": "WARNING",
            **(extra_env or {}),
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        dramatiq = Path(sys.executable).parent / "dramatiq"
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    str(dramatiq),
                    "django_dramatiq.setup",
                    "notifications.tasks",
                    "--processes",
                    "1",
                    "--threads",
                    "4",
                ],
                cwd=BACKEND,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGKILL reaches the worker child too
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
