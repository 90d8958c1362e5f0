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


def test_compiled_query_keeps_rows_and_instances_apart_and_refuses_slices(db):
    instances = CompiledQuery(lambda roster_id: Shift.objects.filter(roster_id=roster_id), roster_id=int)
    with pytest.raises(ValueError, match="instances"):
        instances.rows(roster_id=1)
    values = CompiledQuery(
        lambda roster_id: Shift.objects.filter(roster_id=roster_id).values("id"), roster_id=int
    )
    with pytest.raises(ValueError, match="values"):
        values.instances(roster_id=1)
    with pytest.raises(ValueError, match="sliced"):
        CompiledQuery(
            lambda roster_id: Shift.objects.filter(roster_id=roster_id).values("id")[:5], roster_id=int
        ).rows(roster_id=1)


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_compiled_claim_read_gives_the_orms_instances_field_for_field():
    from accounts.models import Role
    from scheduling.selectors.access import _shift_with_claim_facts
    from tests.factories import PersonFactory, RosterMembershipFactory

    starts = timezone.now() + timedelta(days=3)
    flexible = ShiftFactory(
        is_flexible=True, starts_at=starts, ends_at=starts + timedelta(days=2), notes="Any time"
    )
    timed = ShiftFactory(capacity=4, filled=1)
    person = PersonFactory()
    RosterMembershipFactory(roster=flexible.roster, person=person, role=Role.COORDINATOR)
    compiled = CompiledQuery(_shift_with_claim_facts, shift_id=int, person_id=int)

    for shift in (flexible, timed):
        expected = _shift_with_claim_facts(shift_id=shift.pk, person_id=person.pk).get()
        found = compiled.first(shift_id=shift.pk, person_id=person.pk)

        assert found is not None and type(found) is Shift
        assert _fields(found) == _fields(expected)
        # The select_related roster is there without a query, with its own converted columns.
        assert _fields(found.roster) == _fields(expected.roster)
        names = ("_member_role", "_org_role", "my_active_status", "_has_required")
        assert {n: getattr(found, n) for n in names} == {n: getattr(expected, n) for n in names}
    assert compiled.first(shift_id=flexible.pk, person_id=person.pk)._member_role == "coordinator"
    assert compiled.first(shift_id=timed.pk, person_id=person.pk)._member_role is None
    # Booleans and aware datetimes come back as Python values on every backend (SQLite stores 0/1).
    assert compiled.first(shift_id=flexible.pk, person_id=person.pk).is_flexible is True
    assert compiled.first(shift_id=flexible.pk, person_id=person.pk).starts_at == flexible.starts_at


def test_compiled_instances_run_each_call_with_its_own_values(django_assert_num_queries):
    first, second = ShiftFactory(title="First"), ShiftFactory(title="Second")
    compiled = CompiledQuery(lambda *, pk: Shift.objects.filter(pk=pk), pk=int)

    with django_assert_num_queries(3):
        titles = [compiled.first(pk=s.pk).title for s in (first, second)] + [compiled.first(pk=-5)]

    assert titles == ["First", "Second", None]


def test_compiled_instances_keep_aggregate_annotations():
    from django.db.models import Count

    shift = ShiftFactory()
    compiled = CompiledQuery(
        lambda *, pk: Shift.objects.filter(pk=pk).annotate(signups_seen=Count("signups")), pk=int
    )

    assert compiled.first(pk=shift.pk).signups_seen == 0
