"""Two tabs opening "my calendar" at once must leave one live feed URL, not two."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from calendars.models import FeedToken
from calendars.services import feed_get_or_issue
from tests.factories import PersonFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_issue_one_feed():
    person = PersonFactory()
    barrier = threading.Barrier(8)
    secrets: list[str | None] = []
    errors: list[BaseException] = []

    def open_page() -> None:
        try:
            barrier.wait()
            issued = feed_get_or_issue(owner=person, scope="person", scope_id=person.pk)
            secrets.append(issued.secret)
        except BaseException as exc:  # collected and asserted below, from the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_page) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert FeedToken.objects.filter(owner=person, revoked_at__isnull=True).count() == 1
    # Exactly one request saw the new secret; the others were told a feed exists.
    assert len([s for s in secrets if s is not None]) == 1
    assert len(secrets) == 8
