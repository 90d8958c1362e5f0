"""PreparedQuery: compiled once, and every result the same as the queryset it was built from."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from scheduling.models import Shift
from scheduling.selectors import _shift_with_claim_facts
from tests.factories import PersonFactory, RosterMembershipFactory, ShiftFactory
from village.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_prepared_claim_read_matches_the_orm_field_for_field():
    starts = timezone.now() + timedelta(days=3)
    flexible = ShiftFactory(
        is_flexible=True, starts_at=starts, ends_at=starts + timedelta(days=2), notes="Any time"
    )
    timed = ShiftFactory(capacity=4, filled=1)
    person = PersonFactory()
    RosterMembershipFactory(roster=flexible.roster, person=person, role=Role.COORDINATOR)
    prepared = PreparedQuery(_shift_with_claim_facts, shift_id=-7_000_001, person_id=-7_000_002)

    for shift in (flexible, timed):
        expected = _shift_with_claim_facts(shift_id=shift.pk, person_id=person.pk).get()
        found = prepared.first(shift_id=shift.pk, person_id=person.pk)

        assert found is not None and type(found) is Shift
        assert _fields(found) == _fields(expected)
        # The select_related roster is there without a query, with its own converted columns.
        assert _fields(found.roster) == _fields(expected.roster)
        names = ("_member_role", "_org_role", "my_active_status", "_has_required")
        assert {n: getattr(found, n) for n in names} == {n: getattr(expected, n) for n in names}
    assert prepared.first(shift_id=flexible.pk, person_id=person.pk)._member_role == "coordinator"
    assert prepared.first(shift_id=timed.pk, person_id=person.pk)._member_role is None
    # Booleans and aware datetimes come back as Python values on every backend (SQLite stores 0/1).
    assert prepared.first(shift_id=flexible.pk, person_id=person.pk).is_flexible is True
    assert prepared.first(shift_id=flexible.pk, person_id=person.pk).starts_at == flexible.starts_at


def test_prepared_query_runs_each_call_with_its_own_values(django_assert_num_queries):
    first, second = ShiftFactory(title="First"), ShiftFactory(title="Second")
    prepared = PreparedQuery(lambda *, pk: Shift.objects.filter(pk=pk), pk=-1)

    with django_assert_num_queries(3):
        titles = [prepared.first(pk=s.pk).title for s in (first, second)] + [prepared.first(pk=-5)]

    assert titles == ["First", "Second", None]


def test_prepared_query_keeps_aggregate_annotations():
    shift = ShiftFactory()
    prepared = PreparedQuery(
        lambda *, pk: Shift.objects.filter(pk=pk).annotate(signups_seen=Count("signups")), pk=-1
    )

    assert prepared.first(pk=shift.pk).signups_seen == 0


def test_prepared_query_refuses_a_sentinel_that_lands_nowhere():
    # The value is not used by the queryset: every caller's value would be silently ignored.
    prepared = PreparedQuery(lambda *, pk: Shift.objects.filter(pk=1), pk=-1)

    with pytest.raises(RuntimeError, match="lost its values: \\['pk'\\]"):
        prepared.first(pk=2)


def test_prepared_token_authentication_answers_as_drf_does():
    person = PersonFactory()
    token = Token.objects.create(user=person)
    client = APIClient()

    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").json()["id"] == person.pk

    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key[:-1]}x")
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 403  # SessionAuthentication comes first, so no 401 challenge
    assert refused.json()["error"]["code"] == "authentication_failed"

    person.is_active = False
    person.save(update_fields=["is_active"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    inactive = client.get("/api/v1/me/")
    assert inactive.status_code == 403
    assert inactive.json()["error"]["code"] == "authentication_failed"
