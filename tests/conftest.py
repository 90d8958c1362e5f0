from __future__ import annotations

import os

import pytest
from rest_framework.test import APIClient

from tests.factories import PersonFactory

pytest_plugins: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # PostgreSQL-only tests cannot be run on SQLite: select them out of that pass by marker
    # (Makefile's test-sqlite) rather than skipping, so a skip always means something is wrong.
    return None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true a skipped test fails the run: a skip must never turn red into green."""
    if os.environ.get("CI", "").lower() not in {"1", "true", "yes"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = len(reporter.stats.get("skipped", [])) + len(reporter.stats.get("xfailed", []))
    if skipped:
        reporter.write_line(f"CI=true: {skipped} test(s) skipped or xfailed; failing the run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
