from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from accounts.mail import account_email_sender, set_account_email_sender


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    # Throttle counters live in the cache; one test's attempts must not throttle the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; one test proves sign-up uses it, the rest need not pay for it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sent_emails() -> Iterator[list[dict[str, Any]]]:
    """Every account e-mail handed to the mail seam, in order (the real sender is put back after)."""
    sent: list[dict[str, Any]] = []
    previous = account_email_sender()

    def record(**message: Any) -> None:
        sent.append(message)

    set_account_email_sender(record)
    yield sent
    set_account_email_sender(previous)


@pytest.fixture
def default_account_sender() -> Iterator[None]:
    """accounts' own sender (Django mail after commit) for this test; the routed one is put back after."""
    previous = account_email_sender()
    set_account_email_sender(None)
    yield
    set_account_email_sender(previous)
