"""Lists answer like LimitOffsetPagination: LeanPagination asks for a COUNT only when it must,
CountedPagination (the shift and commitment lists) reads the count with the page."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.factories import RosterFactory, RosterMembershipFactory, ShiftFactory

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


@pytest.fixture
def three_shifts(login):
    coordinator = RosterMembershipFactory(role=Role.COORDINATOR)
    for _ in range(3):
        ShiftFactory(roster=coordinator.roster)
    return login(coordinator.person), f"/api/v1/rosters/{coordinator.roster_id}/shifts/"


@pytest.mark.parametrize(
    ("query", "queries", "results", "has_next", "has_previous"),
    [
        ("", 2, 3, False, False),  # the roster with the role, the page with its count
        ("?limit=2", 2, 2, True, False),
        ("?limit=3", 2, 3, False, False),
        ("?limit=2&offset=2", 2, 1, False, True),
        ("?limit=2&offset=7", 3, 0, False, True),  # past the end: no row carries the count
        ("?limit=nonsense&offset=-1", 2, 3, False, False),  # as LimitOffsetPagination: the defaults
    ],
)
def test_counted_pagination_count_and_links(
    three_shifts, django_assert_num_queries, query, queries, results, has_next, has_previous
):
    client, url = three_shifts

    with django_assert_num_queries(queries):
        body = client.get(f"{url}{query}").json()

    assert body["count"] == 3
    assert len(body["results"]) == results
    assert (body["next"] is not None, body["previous"] is not None) == (has_next, has_previous)


@pytest.mark.parametrize("path", ["/api/v1/rosters/", "/api/v1/me/commitments/"])
def test_pagination_an_offset_past_a_bigint_is_an_empty_page(three_rosters, path):
    # Found by `make fuzz-deep`: PostgreSQL refused the OFFSET and the list answered 500.
    response = three_rosters.get(f"{path}?offset=31996899716923179008")

    assert response.status_code == 200
    body = response.json()
    assert body["results"] == []
    assert body["next"] is None
