"""A compiled query answers what its queryset would, for every caller's values, page and backend."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from scheduling.models import Shift
from tests.factories import RosterFactory, ShiftFactory
from village.compiled import CompiledQuery

pytestmark = pytest.mark.django_db

COLUMNS = ("id", "title", "starts_at", "is_flexible", "filled")


def _shifts(roster_id, after):
    return (
        Shift.objects.filter(roster_id=roster_id, ends_at__gt=after)
        .annotate(zone=F("roster__time_zone"))
        .order_by("starts_at", "pk")
        .values(*COLUMNS, "zone")
    )


@pytest.fixture
def two_rosters():
    now = timezone.now()
    rosters = [RosterFactory(time_zone="Europe/Madrid"), RosterFactory(time_zone="Asia/Tokyo")]
    for roster in rosters:
        for hours in (-5, 2, 4, 6):
            ShiftFactory(roster=roster, starts_at=now + timedelta(hours=hours), is_flexible=hours == 4)
    return rosters, now


def test_compiled_query_rows_equal_the_querysets_for_each_callers_values(two_rosters):
    rosters, now = two_rosters
    query = CompiledQuery(_shifts, roster_id=int, after=type(now))

    for roster in rosters:
        for after in (now - timedelta(days=1), now + timedelta(hours=3)):
            # Booleans and aware datetimes too: SQLite needs the ORM's converters for both.
            rows = query.rows(roster_id=roster.pk, after=after)
            assert rows == list(_shifts(roster.pk, after))
            assert {type(row["is_flexible"]) for row in rows} == {bool}


def test_compiled_query_pages_with_parameters(two_rosters):
    rosters, now = two_rosters
    query = CompiledQuery(_shifts, roster_id=int, after=type(now))
    everything = list(_shifts(rosters[1].pk, now - timedelta(days=1)))

    pages = [
        query.rows(roster_id=rosters[1].pk, after=now - timedelta(days=1), limit=3, offset=offset)
        for offset in (0, 3, 6)
    ]

    assert pages == [everything[:3], everything[3:], []]


@pytest.mark.parametrize(
    ("limit", "offset", "size"), [(2, 0, 2), (50, 0, 4), (2, 2, 2), (2, 3, 1), (2, 9, 0)]
)
def test_compiled_query_page_counts_every_matching_row(
    two_rosters, django_assert_num_queries, limit, offset, size
):
    rosters, now = two_rosters
    query = CompiledQuery(_shifts, counted=True, roster_id=int, after=type(now))
    everything = list(_shifts(rosters[0].pk, now - timedelta(days=1)))

    # The total rides on the page's rows; only a page past the end needs a second statement.
    with django_assert_num_queries(1 if size else 2):
        rows, total = query.page(
            roster_id=rosters[0].pk, after=now - timedelta(days=1), limit=limit, offset=offset
        )

    assert (rows, total) == (everything[offset : offset + limit], 4)
    assert len(rows) == size


def test_compiled_query_page_of_nothing_is_zero(two_rosters, django_assert_num_queries):
    _rosters, now = two_rosters
    query = CompiledQuery(_shifts, counted=True, roster_id=int, after=type(now))

    with django_assert_num_queries(1):
        assert query.page(roster_id=0, after=now, limit=50, offset=0) == ([], 0)


def test_compiled_query_refuses_a_value_that_does_not_reach_the_sql(db):
    # ``after`` never becomes a parameter: the compiled SQL would answer every caller alike.
    query = CompiledQuery(
        lambda roster_id, after: Shift.objects.filter(roster_id=roster_id).values("id"),
        roster_id=int,
        after=str,
    )

    with pytest.raises(RuntimeError, match="after"):
        query.rows(roster_id=1, after="x")


def test_compiled_query_refuses_model_instances_and_slices(db):
    with pytest.raises(ValueError, match="values"):
        CompiledQuery(lambda roster_id: Shift.objects.filter(roster_id=roster_id), roster_id=int).rows(
            roster_id=1
        )
    with pytest.raises(ValueError, match="sliced"):
        CompiledQuery(
            lambda roster_id: Shift.objects.filter(roster_id=roster_id).values("id")[:5], roster_id=int
        ).rows(roster_id=1)
