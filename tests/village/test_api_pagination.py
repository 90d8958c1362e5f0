"""LeanPagination answers like LimitOffsetPagination, asking for a COUNT only when it must."""

from __future__ import annotations

import pytest

from tests.factories import RosterFactory, RosterMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_rosters(login):
    member = RosterMembershipFactory()
    for _ in range(2):
        RosterMembershipFactory(roster=RosterFactory(), person=member.person)
    return login(member.person)


@pytest.mark.parametrize(
    ("query", "queries", "results", "has_next", "has_previous"),
    [
        ("", 1, 3, False, False),  # not full: the page says how many
        ("?limit=2", 2, 2, True, False),  # full: the count is asked for
        ("?limit=3", 1, 3, False, False),  # exactly full: the row past the page is not there
        ("?limit=2&offset=2", 1, 1, False, True),
        ("?limit=2&offset=7", 2, 0, False, True),  # past the end: only COUNT can say
    ],
)
def test_lean_pagination_count_and_links(
    three_rosters, django_assert_num_queries, query, queries, results, has_next, has_previous
):
    with django_assert_num_queries(queries):
        body = three_rosters.get(f"/api/v1/rosters/{query}").json()

    assert body["count"] == 3
    assert len(body["results"]) == results
    assert (body["next"] is not None, body["previous"] is not None) == (has_next, has_previous)
