from __future__ import annotations

from pathlib import Path

import pytest

from notifications import tasks

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def notification_templates(settings):
    """Test templates (notifications/tests/greeting/…) next to these tests, not in the app."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES_DIR]}]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_INLINE_DELIVERY = True
    settings.SITE_URL = "https://village.example.org"
    return TEMPLATES_DIR


@pytest.fixture
def enqueued(settings, monkeypatch):
    """The broker messages sent, each a list of ids (nothing is delivered)."""
    settings.NOTIFICATION_INLINE_DELIVERY = False
    messages: list[list[int]] = []

    class FakeActor:
        @staticmethod
        def send(ids):
            messages.append(list(ids))

    monkeypatch.setattr(tasks, "deliver_notifications", FakeActor)
    return messages
