from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import PersonFactory

# pytester runs tiny suites in a subprocess (tests/village/test_ci_guard.py); ci_guard fails a
# CI run that skipped anything.
pytest_plugins = ["pytester", "tests.ci_guard"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # PostgreSQL-only tests cannot be run on SQLite: select them out of that pass by marker
    # (Makefile's test-sqlite) rather than skipping, so a skip always means something is wrong.
    return None


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher.

    tests/accounts/test_auth.py proves the production setting really hashes with argon2.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api() -> APIClient:
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def login():
    """Returns an API client authenticated as the given person (token auth, as a partner app)."""

    def _login(person) -> APIClient:
        client = APIClient()
        client.force_authenticate(person)
        return client

    return _login


@pytest.fixture
def person(db):
    return PersonFactory()
