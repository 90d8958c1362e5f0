"""THE privacy test: every circle endpoint, as every kind of person, with exact codes and keys.

A family's circle is private. Anyone with no role in it — anonymous, a stranger, or a volunteer
of the very organisation that looks after it who was never invited — must get the same 404 as
for a circle that does not exist, and never see it in a list. Members see only what they need;
the address and phone only coordinators, and volunteers close to a commitment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from practical.models import AddressRead, ChildcareApproval, Circle
from scheduling.models import RosterMembership
from tests.factories import (
    CircleFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterMembershipFactory,
    ShiftFactory,
    SignupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Argon2 is right for real people and far too slow for dozens of factory people per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


ACTORS = (
    "anonymous",
    "stranger",
    "volunteer",
    "volunteer_near",
    "coordinator",
    "org_coordinator",
    "org_volunteer",
)

VOLUNTEER_KEYS = {
    "id",
    "name",
    "time_zone",
    "status",
    "my_role",
    "adults",
    "children_count",
    "dietary_preferences",
    "allergies",
    "allergies_other",
    "likes",
    "dislikes",
    "dropoff_instructions",
    "delivery_window_start",
    "delivery_window_end",
    "quiet_hours_start",
    "quiet_hours_end",
    "visitor_policy",
    "illness_policy",
    "pets",
}
NEAR_KEYS = VOLUNTEER_KEYS | {"address", "phone"}
COORDINATOR_KEYS = NEAR_KEYS | {"children", "organisation", "created_by", "created_at", "updated_at"}
MEMBER_KEYS_FOR_VOLUNTEERS = {"name", "role"}
MEMBER_KEYS_FOR_COORDINATORS = {"person_id", "name", "email", "role", "status", "joined_at"}
APPROVAL_KEYS = {"person_id", "name", "approved_by", "approved_at"}
READ_KEYS = {"person_id", "name", "read_at", "via"}
PAGE_KEYS = {"count", "next", "previous", "results"}


@dataclass
class World:
    circle: Circle
    people: dict[str, Any]


@pytest.fixture
def world(settings) -> World:
    settings.ADDRESS_VISIBLE_BEFORE = timedelta(hours=48)
    organisation = OrganisationFactory()
    circle = CircleFactory(
        organisation=organisation,
        roster__organisation=organisation,
        children=[{"name": "Mia", "birth_date": "2026-11-01"}],
    )
    people: dict[str, Any] = {"anonymous": None, "stranger": PersonFactory()}
    for actor, role in (
        ("volunteer", Role.VOLUNTEER),
        ("volunteer_near", Role.VOLUNTEER),
        ("coordinator", Role.COORDINATOR),
    ):
        people[actor] = RosterMembershipFactory(roster=circle.roster, role=role).person
    people["org_coordinator"] = OrganisationMembershipFactory(
        organisation=organisation, role=Role.COORDINATOR
    ).person
    people["org_volunteer"] = OrganisationMembershipFactory(
        organisation=organisation, role=Role.VOLUNTEER
    ).person
    now = timezone.now()
    # The plain volunteer holds a commitment too, but days away: too early to see the address.
    far = ShiftFactory(roster=circle.roster, starts_at=now + timedelta(days=5))
    SignupFactory(shift=far, person=people["volunteer"])
    near = ShiftFactory(roster=circle.roster, starts_at=now + timedelta(hours=1))
    SignupFactory(shift=near, person=people["volunteer_near"])
    # The organisation volunteer even holds a near sign-up on the circle's roster (e.g. left over
    # from a data import): without a role in the circle it must still open nothing.
    SignupFactory(shift=near, person=people["org_volunteer"])
    ChildcareApproval.objects.create(circle=circle, person=people["volunteer"])
    AddressRead.objects.create(circle=circle, person=people["volunteer_near"], via="earlier")
    return World(circle=circle, people=people)


# Each endpoint: (method, path after /api/v1/circles/{id}/, body, {actor: (status, keys)}).
# keys: the exact top-level keys of the body; for lists, the exact keys of each row.
NOT_FOUND = (404, None)
FORBIDDEN = (403, None)
OUTSIDERS = {"anonymous": NOT_FOUND, "stranger": NOT_FOUND, "org_volunteer": NOT_FOUND}
VOLUNTEERS_FORBIDDEN = {"volunteer": FORBIDDEN, "volunteer_near": FORBIDDEN}


def coordinators_only(code: int, keys: set[str] | None) -> dict[str, tuple[int, set[str] | None]]:
    return {
        **OUTSIDERS,
        **VOLUNTEERS_FORBIDDEN,
        "coordinator": (code, keys),
        "org_coordinator": (code, keys),
    }


ENDPOINTS: dict[str, tuple[str, str, dict[str, Any] | None, dict[str, tuple[int, set[str] | None]]]] = {
    "detail": (
        "get",
        "",
        None,
        {
            **OUTSIDERS,
            "volunteer": (200, VOLUNTEER_KEYS),
            "volunteer_near": (200, NEAR_KEYS),
            "coordinator": (200, COORDINATOR_KEYS),
            "org_coordinator": (200, COORDINATOR_KEYS),
        },
    ),
    "patch": ("patch", "", {"likes": "soup"}, coordinators_only(200, COORDINATOR_KEYS)),
    "pause": ("post", "pause/", None, coordinators_only(200, COORDINATOR_KEYS)),
    "resume": ("post", "resume/", None, coordinators_only(200, COORDINATOR_KEYS)),
    "close": ("post", "close/", None, coordinators_only(200, COORDINATOR_KEYS)),
    "members": (
        "get",
        "members/",
        None,
        {
            **OUTSIDERS,
            "volunteer": (200, MEMBER_KEYS_FOR_VOLUNTEERS),
            "volunteer_near": (200, MEMBER_KEYS_FOR_VOLUNTEERS),
            "coordinator": (200, MEMBER_KEYS_FOR_COORDINATORS),
            "org_coordinator": (200, MEMBER_KEYS_FOR_COORDINATORS),
        },
    ),
    "member_patch": (
        "patch",
        "members/{volunteer}/",
        {"role": "coordinator"},
        coordinators_only(200, MEMBER_KEYS_FOR_COORDINATORS),
    ),
    "member_delete": ("delete", "members/{volunteer}/", None, coordinators_only(204, None)),
    "childcare_list": ("get", "childcare-approvals/", None, coordinators_only(200, APPROVAL_KEYS)),
    "childcare_add": (
        "post",
        "childcare-approvals/",
        {"person": "{volunteer_near}"},
        coordinators_only(201, APPROVAL_KEYS),
    ),
    "childcare_remove": ("delete", "childcare-approvals/{volunteer}/", None, coordinators_only(204, None)),
    "address_reads": ("get", "address-reads/", None, coordinators_only(200, READ_KEYS)),
}

CASES = [
    pytest.param(endpoint, actor, id=f"{endpoint}-{actor}") for endpoint in ENDPOINTS for actor in ACTORS
]


def _client(api, login, person):
    return api if person is None else login(person)


def _fill(value: Any, people: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        return people[value.strip("{}")].pk
    return value


def _snapshot(circle: Circle) -> tuple[Any, ...]:
    circle.refresh_from_db()
    return (
        circle.status,
        circle.likes,
        sorted(
            RosterMembership.objects.filter(roster=circle.roster).values_list("person_id", "role", "status")
        ),
        sorted(ChildcareApproval.objects.filter(circle=circle).values_list("person_id", flat=True)),
    )


def test_privacy_table_is_complete():
    assert all(set(expected) == set(ACTORS) for *_, expected in ENDPOINTS.values())


@pytest.mark.parametrize(("endpoint", "actor"), CASES)
def test_privacy_circle_endpoint(api, login, world, endpoint, actor):
    method, suffix, body, expected = ENDPOINTS[endpoint]
    status_code, keys = expected[actor]
    people = world.people
    path = suffix.format(**{name: p.pk for name, p in people.items() if p is not None})
    payload = {key: _fill(value, people) for key, value in body.items()} if body else None
    client = _client(api, login, people[actor])
    before = _snapshot(world.circle)

    response = getattr(client, method)(f"/api/v1/circles/{world.circle.pk}/{path}", payload)

    assert response.status_code == status_code, response.content
    if status_code >= 400:
        # Indistinguishable from a circle that does not exist (or, for 403, just refused).
        assert _snapshot(world.circle) == before
        missing = getattr(client, method)(f"/api/v1/circles/999999/{path}", payload)
        if status_code == 404:
            assert (missing.status_code, missing.json()) == (404, response.json())
        assert set(response.json()) == {"error"}
    elif keys is not None:
        data = response.json()
        if set(data) == PAGE_KEYS:
            assert data["results"], "a list that is empty proves nothing about its keys"
            assert all(set(row) == keys for row in data["results"])
        else:
            assert set(data) == keys
    reads = list(AddressRead.objects.exclude(via="earlier").values_list("person_id", flat=True))
    if (endpoint, actor) == ("detail", "volunteer_near"):
        assert reads == [people[actor].pk]
    else:
        assert reads == []


LISTED = {
    "anonymous": (403, None),
    "stranger": (200, False),
    "volunteer": (200, True),
    "volunteer_near": (200, True),
    "coordinator": (200, True),
    "org_coordinator": (200, True),
    "org_volunteer": (200, False),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_privacy_circle_list(api, login, world, actor):
    status_code, listed = LISTED[actor]
    response = _client(api, login, world.people[actor]).get("/api/v1/circles/")
    assert response.status_code == status_code
    if status_code != 200:
        assert response.json()["error"]["code"] == "not_authenticated"
        return
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == ([world.circle.pk] if listed else [])
    for row in rows:
        assert set(row) == {"id", "name", "status", "time_zone", "organisation", "my_role"}
    assert AddressRead.objects.exclude(via="earlier").count() == 0


@pytest.mark.parametrize("actor", ["stranger", "org_volunteer"])
def test_privacy_circle_roster_hidden_through_engine_endpoints(login, world, actor):
    """The circle's roster and shifts are the circle: the engine's endpoints must not reveal them."""
    client = login(world.people[actor])
    roster_id = world.circle.roster_id
    shift = world.circle.roster.shifts.order_by("starts_at").first()
    listed = client.get("/api/v1/rosters/?limit=200").json()["results"]
    assert roster_id not in [row["id"] for row in listed]
    for path in (f"rosters/{roster_id}/", f"rosters/{roster_id}/shifts/", f"shifts/{shift.pk}/"):
        response = client.get(f"/api/v1/{path}")
        assert response.status_code == 404, path
