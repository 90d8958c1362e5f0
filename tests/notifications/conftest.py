from __future__ import annotations

from pathlib import Path

import pytest

TEMPLATES_DIR = Path(__file__).parent / "templates"


@pytest.fixture(autouse=True)
def notification_templates(settings):
    """Test templates (notifications/tests/greeting/…) next to these tests, not in the app."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [TEMPLATES_DIR]}]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_INLINE_DELIVERY = True
    settings.SITE_URL = "https://village.example.org"
    return TEMPLATES_DIR
