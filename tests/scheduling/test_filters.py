"""The engine's lists narrow by their filters; a bad value is a 400 naming the parameter."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from accounts.models import Role
from scheduling.filters import ShiftFilter, filter_values
from scheduling.models import Roster, Shift, Signup
from scheduling.services import signup_claim, swap_offer
from tests.factories import (
    OrganisationMembershipFactory,
    PersonFactory,
    RosterFactory,
    RosterMembershipFactory,
    ShiftFactory,
    SignupFactory,
)
from village.api import DomainError

pytestmark = pytest.mark.django_db


def _coordinated_roster():
    membership = OrganisationMembershipFactory(role=Role.COORDINATOR)
    roster = RosterFactory(organisation=membership.organisation)
    return roster, membership.person


def test_shift_list_start_filter_accepts_offsets_postgresql_cannot_store(login):
    """+17:00 is valid ISO 8601 but beyond PostgreSQL's ±15:59: it used to reach the query (500)."""
    roster, coordinator = _coordinated_roster()
    soon = ShiftFactory(roster=roster, starts_at=timezone.now() + timedelta(hours=2))
    ShiftFactory(roster=roster, starts_at=timezone.now() - timedelta(days=2))
    after = (timezone.now() - timedelta(minutes=1)).astimezone(timezone.get_fixed_timezone(17 * 60))

    response = login(coordinator).get(f"/api/v1/rosters/{roster.pk}/shifts/?start={quote(after.isoformat())}")

    assert response.status_code == 200
    assert [s["id"] for s in response.json()["results"]] == [soon.pk]


def test_shift_list_refuses_a_time_with_no_utc_equivalent(login):
    roster, coordinator = _coordinated_roster()

    response = login(coordinator).get(
        f"/api/v1/rosters/{roster.pk}/shifts/?end={quote('0001-01-01T00:00:00+05:00')}"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"end": ["Enter a valid date/time."]}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "open=true",
        "open=True&start=2026-03-08T17:30:00-05:00",
        "open=false&end=2026-03-08T17:30:00Z",
        "open=1&start=2026-03-08T17:30:00%2B17:00",
        "open=maybe",
        "start=tomorrow",
        "start=tomorrow&end=0001-01-01T00:00:00%2B05:00&open=0",
        "start=&end=",
    ],
)
def test_shift_filter_values_are_what_the_filterset_form_cleans(query):
    """The shift list reads its filters without building a FilterSet: same values, same errors."""
    params = QueryDict(query)
    form = ShiftFilter(params, queryset=Shift.objects.none())

    if form.is_valid():
        assert filter_values(ShiftFilter, params) == form.form.cleaned_data
    else:
        with pytest.raises(DomainError) as refused:
            filter_values(ShiftFilter, params)
        assert refused.value.fields == {name: list(errors) for name, errors in form.errors.items()}


def test_shift_list_refuses_a_bad_filter_naming_it(login):
    roster, coordinator = _coordinated_roster()

    response = login(coordinator).get(
        f"/api/v1/rosters/{roster.pk}/shifts/", {"start": "soon", "open": "true"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "Some filters need fixing.",
        "fields": {"start": ["Enter a valid date/time."]},
    }


# --- Every other engine list narrows by its filters, and says which parameter was wrong ---------


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_roster_list_filters_by_kind_and_organisation(login):
    membership = OrganisationMembershipFactory(role=Role.COORDINATOR)
    organisation, me = membership.organisation, membership.person
    duty = RosterFactory(organisation=organisation, name="A duty")
    circle = RosterFactory(organisation=organisation, kind=Roster.Kind.CIRCLE, name="B circle")
    elsewhere = RosterFactory(name="C elsewhere")
    RosterMembershipFactory(roster=elsewhere, person=me)
    client = login(me)

    assert _ids(client.get("/api/v1/rosters/")) == [duty.pk, circle.pk, elsewhere.pk]
    assert _ids(client.get("/api/v1/rosters/", {"kind": "circle"})) == [circle.pk]
    assert _ids(client.get("/api/v1/rosters/", {"kind": "duty"})) == [duty.pk, elsewhere.pk]
    assert _ids(client.get("/api/v1/rosters/", {"organisation": organisation.pk})) == [duty.pk, circle.pk]


@pytest.mark.parametrize(
    ("params", "field"), [({"kind": "club"}, "kind"), ({"organisation": "x"}, "organisation")]
)
def test_roster_list_refuses_a_bad_filter_naming_it(login, params, field):
    response = login(PersonFactory()).get("/api/v1/rosters/", params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def _swap_on(shift, person):
    RosterMembershipFactory(roster=shift.roster, person=person)
    signup = signup_claim(shift=shift, person=person).signup
    return swap_offer(signup=signup, actor=person)


def test_swap_board_filters_by_shift_and_time(login):
    roster, coordinator = _coordinated_roster()
    now = timezone.now()
    soon = ShiftFactory(roster=roster, starts_at=now + timedelta(days=1), capacity=3)
    later = ShiftFactory(roster=roster, starts_at=now + timedelta(days=5), capacity=3)
    on_soon = [_swap_on(soon, PersonFactory()), _swap_on(soon, PersonFactory())]
    on_later = _swap_on(later, PersonFactory())
    client = login(coordinator)
    url = f"/api/v1/rosters/{roster.pk}/swaps/"
    middle = (now + timedelta(days=3)).isoformat()

    assert _ids(client.get(url)) == [on_soon[0].pk, on_soon[1].pk, on_later.pk]
    assert _ids(client.get(url, {"shift": later.pk})) == [on_later.pk]
    assert _ids(client.get(url, {"start": middle})) == [on_later.pk]
    assert _ids(client.get(url, {"end": middle})) == [s.pk for s in on_soon]


@pytest.mark.parametrize(
    ("params", "field"), [({"shift": "first"}, "shift"), ({"start": "tomorrow"}, "start")]
)
def test_swap_board_refuses_a_bad_filter_naming_it(login, params, field):
    roster, coordinator = _coordinated_roster()

    response = login(coordinator).get(f"/api/v1/rosters/{roster.pk}/swaps/", params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_shift_signups_filter_by_status(login):
    roster, coordinator = _coordinated_roster()
    shift = ShiftFactory(roster=roster, capacity=1)
    people = [PersonFactory() for _ in range(3)]
    for person in people:
        RosterMembershipFactory(roster=roster, person=person)
    confirmed = signup_claim(shift=shift, person=people[0]).signup
    waiting = signup_claim(shift=shift, person=people[1], join_waitlist=True).signup
    SignupFactory(shift=shift, person=people[2], status=Signup.Status.CANCELLED)
    client = login(coordinator)
    url = f"/api/v1/shifts/{shift.pk}/signups/"

    assert len(_ids(client.get(url))) == 3
    assert _ids(client.get(url, {"status": "waitlisted"})) == [waiting.pk]
    assert _ids(client.get(url, {"status": "confirmed"})) == [confirmed.pk]
    # A volunteer sees confirmed places only, whatever they ask for.
    assert _ids(login(people[0]).get(url, {"status": "waitlisted"})) == []


def test_shift_signups_refuse_an_unknown_status(login):
    roster, coordinator = _coordinated_roster()
    shift = ShiftFactory(roster=roster)

    response = login(coordinator).get(f"/api/v1/shifts/{shift.pk}/signups/", {"status": "maybe"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["status"]


def test_filters_are_documented_in_the_schema():
    schema = SchemaGenerator(urlconf="scheduling.urls").get_schema(request=None, public=True)

    def documented(path: str) -> dict[str, list | None]:
        parameters = schema["paths"][path]["get"]["parameters"]
        return {p["name"]: p["schema"].get("enum") for p in parameters if p["in"] == "query"}

    assert documented("/rosters/") == {
        "kind": ["circle", "duty"],
        "organisation": None,
        "limit": None,
        "offset": None,
    }
    assert documented("/rosters/{roster_id}/swaps/") == {
        "shift": None,
        "start": None,
        "end": None,
        "limit": None,
        "offset": None,
    }
    assert documented("/shifts/{shift_id}/signups/") == {
        "status": sorted(Signup.Status.values),
        "limit": None,
        "offset": None,
    }
