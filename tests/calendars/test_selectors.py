"""The feed token read on every poll: the row and its owner, as the ORM would build them."""

from __future__ import annotations

from datetime import datetime

import pytest

from calendars.models import FeedToken
from calendars.selectors import feed_token_by_secret
from tests.calendars.support import feed_path, issue_feed
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_feed_token_by_secret_builds_the_row_and_owner_in_one_query(django_assert_num_queries):
    volunteer = PersonFactory(name="Ada Volunteer")
    secret = issue_feed(volunteer)
    stored = FeedToken.objects.select_related("owner").get(owner=volunteer)

    with django_assert_num_queries(1):
        found = feed_token_by_secret(token=secret)
        assert found is not None
        owner = found.owner

    assert (found.pk, found.scope, found.scope_id, found.token_hash, found.created_at) == (
        stored.pk,
        stored.scope,
        stored.scope_id,
        stored.token_hash,
        stored.created_at,
    )
    # Typed as the ORM types them on every backend (SQLite hands back 1 for True).
    assert (owner.pk, owner.name, owner.is_active, type(found.created_at)) == (
        volunteer.pk,
        "Ada Volunteer",
        True,
        datetime,
    )
    assert type(owner.is_active) is bool


def test_feed_token_by_secret_is_none_for_unknown_and_revoked_secrets():
    volunteer = PersonFactory()
    secret = issue_feed(volunteer)
    FeedToken.objects.update(revoked_at=FeedToken.objects.get().created_at)

    assert (feed_token_by_secret(token=secret), feed_token_by_secret(token="x" * 43)) == (None, None)


def test_feed_of_a_deactivated_owner_is_404(api):
    volunteer = PersonFactory()
    path = feed_path(issue_feed(volunteer))
    assert api.get(path).status_code == 200
    volunteer.is_active = False
    volunteer.save(update_fields=["is_active"])

    assert api.get(path).status_code == 404
