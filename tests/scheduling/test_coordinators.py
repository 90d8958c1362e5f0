"""What coordinators do to sign-ups: assign, unassign, mark kept or missed; who sees whom."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Shift, Signup
from scheduling.services import signup_claim
from tests.factories import PersonFactory, ShiftFactory

pytestmark = pytest.mark.django_db


def test_signup_assign_puts_member_on(login, coordinator, volunteer, shift):
    response = login(coordinator).post(
        f"/api/v1/shifts/{shift.pk}/assign/", {"person": volunteer.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["signup"]["person"]["id"] == volunteer.pk
    shift.refresh_from_db()
    assert shift.filled == 1


def test_signup_assign_never_over_capacity(login, coordinator, volunteer_on, shift):
    for _ in range(2):
        signup_claim(shift=shift, person=volunteer_on())

    response = login(coordinator).post(
        f"/api/v1/shifts/{shift.pk}/assign/", {"person": volunteer_on().pk}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "full"
    shift.refresh_from_db()
    assert (shift.filled, Signup.objects.count()) == (2, 2)


def test_signup_assign_non_member_is_400(login, coordinator, shift):
    response = login(coordinator).post(
        f"/api/v1/shifts/{shift.pk}/assign/", {"person": PersonFactory().pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_eligible"
    assert Signup.objects.count() == 0


def test_signup_assign_by_volunteer_is_403(login, volunteer_on, shift):
    helper = volunteer_on()

    response = login(helper).post(
        f"/api/v1/shifts/{shift.pk}/assign/", {"person": volunteer_on().pk}, format="json"
    )

    assert response.status_code == 403
    assert Signup.objects.count() == 0


def test_signup_unassign_ignores_cutoff(roster, coordinator, volunteer, shift):
    from scheduling.services import signup_unassign

    roster.cancel_cutoff = timedelta(days=30)
    roster.save()
    signup = signup_claim(shift=shift, person=volunteer).signup

    result = signup_unassign(signup=signup, actor=coordinator)

    assert result.status == "cancelled"
    shift.refresh_from_db()
    assert shift.filled == 0


def test_signup_mark_completed_and_no_show(login, coordinator, volunteer_on, roster):
    now = timezone.now()
    shift = ShiftFactory(
        roster=roster, starts_at=now + timedelta(minutes=5), ends_at=now + timedelta(hours=1)
    )
    kept = signup_claim(shift=shift, person=volunteer_on()).signup
    missed = signup_claim(shift=shift, person=volunteer_on()).signup
    early = login(coordinator).post(f"/api/v1/signups/{kept.pk}/complete/", {}, format="json")
    assert (early.status_code, early.json()["error"]["code"]) == (400, "shift_not_started")
    Shift.objects.filter(pk=shift.pk).update(starts_at=now - timedelta(minutes=5))

    done = login(coordinator).post(f"/api/v1/signups/{kept.pk}/complete/", {}, format="json")
    gone = login(coordinator).post(f"/api/v1/signups/{missed.pk}/no-show/", {}, format="json")

    assert (done.status_code, done.json()["status"]) == (200, "completed")
    assert (gone.status_code, gone.json()["status"]) == (200, "no_show")
    shift.refresh_from_db()
    assert shift.filled == 2


def test_signup_mark_by_volunteer_is_403(login, volunteer, shift):
    signup = signup_claim(shift=shift, person=volunteer).signup

    response = login(volunteer).post(f"/api/v1/signups/{signup.pk}/complete/", {}, format="json")

    assert response.status_code == 403
    signup.refresh_from_db()
    assert signup.status == "confirmed"


def test_shift_signups_coordinator_sees_all_volunteer_sees_who_is_coming(
    login, coordinator, volunteer_on, shift
):
    alice = volunteer_on(name="Alice")
    bob = volunteer_on(name="Bob")
    carol = volunteer_on(name="Carol")
    signup_claim(shift=shift, person=alice, note="Lasagna")
    signup_claim(shift=shift, person=bob)
    waiting = signup_claim(shift=shift, person=carol, join_waitlist=True).signup

    as_coordinator = login(coordinator).get(f"/api/v1/shifts/{shift.pk}/signups/").json()
    as_volunteer = login(carol).get(f"/api/v1/shifts/{shift.pk}/signups/").json()

    assert [(s["person"]["name"], s["status"]) for s in as_coordinator["results"]] == [
        ("Alice", "confirmed"),
        ("Bob", "confirmed"),
        ("Carol", "waitlisted"),
    ]
    assert as_coordinator["results"][2]["id"] == waiting.pk
    assert [(s["person"]["name"], s["status"], s["note"], sorted(s)) for s in as_volunteer["results"]] == [
        ("Alice", "confirmed", "Lasagna", ["id", "note", "open_swap", "person", "status"]),
        ("Bob", "confirmed", "", ["id", "note", "open_swap", "person", "status"]),
    ]


def test_signup_detail_visible_to_holder_and_coordinator_only(login, coordinator, volunteer_on, shift):
    holder = volunteer_on()
    signup = signup_claim(shift=shift, person=holder).signup

    assert login(holder).get(f"/api/v1/signups/{signup.pk}/").json()["id"] == signup.pk
    assert login(coordinator).get(f"/api/v1/signups/{signup.pk}/").status_code == 200
    assert login(PersonFactory()).get(f"/api/v1/signups/{signup.pk}/").status_code == 404


def test_open_shifts_filter(login, volunteer, volunteer_on, roster, shift):
    full = ShiftFactory(
        roster=roster, title="Full", capacity=1, starts_at=shift.starts_at, ends_at=shift.ends_at
    )
    signup_claim(shift=full, person=volunteer_on())
    mine = ShiftFactory(
        roster=roster,
        title="Mine",
        starts_at=shift.starts_at + timedelta(days=1),
        ends_at=shift.ends_at + timedelta(days=1),
    )
    signup_claim(shift=mine, person=volunteer)
    now = timezone.now()
    ShiftFactory(
        roster=roster, title="Past", starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
    )
    later = ShiftFactory(
        roster=roster,
        title="Later",
        starts_at=shift.starts_at + timedelta(days=20),
        ends_at=shift.ends_at + timedelta(days=20),
    )

    everything = login(volunteer).get(f"/api/v1/rosters/{roster.pk}/shifts/").json()
    open_ = login(volunteer).get(f"/api/v1/rosters/{roster.pk}/shifts/", {"open": "true"}).json()
    window = (
        login(volunteer)
        .get(
            f"/api/v1/rosters/{roster.pk}/shifts/",
            {
                "open": "true",
                "start": (later.starts_at - timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
            },
        )
        .json()
    )

    assert [s["title"] for s in everything["results"]] == ["Past", "Evening line", "Full", "Mine", "Later"]
    assert [s["title"] for s in open_["results"]] == ["Evening line", "Later"]
    assert [s["title"] for s in window["results"]] == ["Later"]


def test_my_commitments_both_kinds_soonest_first(login, volunteer, shift):
    from scheduling.models import Roster
    from tests.factories import RosterFactory, RosterMembershipFactory

    circle = RosterFactory(kind=Roster.Kind.CIRCLE, name="The Lees", time_zone="America/Chicago")
    RosterMembershipFactory(roster=circle, person=volunteer)
    meal = ShiftFactory(
        roster=circle,
        title="Dinner",
        starts_at=shift.starts_at - timedelta(days=1),
        ends_at=shift.starts_at - timedelta(days=1, hours=-1),
    )
    second = signup_claim(shift=shift, person=volunteer).signup
    first = signup_claim(shift=meal, person=volunteer).signup

    data = login(volunteer).get("/api/v1/me/commitments/").json()

    assert data["count"] == 2
    assert [c["id"] for c in data["results"]] == [first.pk, second.pk]
    assert data["results"][0]["roster"] == {
        "id": circle.pk,
        "name": "The Lees",
        "kind": "circle",
        "time_zone": "America/Chicago",
    }
    assert (
        data["results"][0]["time_zone"],
        data["results"][0]["status"],
        data["results"][0]["shift"]["title"],
    ) == (
        "America/Chicago",
        "confirmed",
        "Dinner",
    )
    assert data["results"][1]["roster"]["kind"] == "duty"


def test_my_commitments_since_includes_older_and_refuses_naive(login, volunteer, roster):
    now = timezone.now()
    old = ShiftFactory(
        roster=roster, starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=10, hours=-1)
    )
    Signup.objects.create(shift=old, person=volunteer, status="completed")

    default = login(volunteer).get("/api/v1/me/commitments/").json()
    wider = (
        login(volunteer)
        .get(
            "/api/v1/me/commitments/",
            {"since": (now - timedelta(days=30)).isoformat().replace("+00:00", "Z")},
        )
        .json()
    )
    naive = login(volunteer).get("/api/v1/me/commitments/", {"since": "2026-01-01T00:00:00"})

    assert (default["count"], wider["count"]) == (0, 1)
    assert wider["results"][0]["status"] == "completed"
    assert naive.status_code == 400
    assert list(naive.json()["error"]["fields"]) == ["since"]


def test_circle_shift_is_404_for_org_volunteer_not_invited(login):
    from accounts.models import Role
    from scheduling.models import Roster
    from tests.factories import OrganisationFactory, OrganisationMembershipFactory, RosterFactory

    organisation = OrganisationFactory()
    helper = OrganisationMembershipFactory(organisation=organisation, role=Role.VOLUNTEER).person
    circle_shift = ShiftFactory(roster=RosterFactory(organisation=organisation, kind=Roster.Kind.CIRCLE))

    client = login(helper)
    assert client.get(f"/api/v1/shifts/{circle_shift.pk}/").status_code == 404
    assert client.post(f"/api/v1/shifts/{circle_shift.pk}/signups/", {}, format="json").status_code == 404
    assert client.get(f"/api/v1/rosters/{circle_shift.roster_id}/").status_code == 404
    assert client.get("/api/v1/rosters/").json()["count"] == 0
    assert Signup.objects.count() == 0


def test_shift_patch_cancelled_is_400_and_scope_on_single_shift_is_one(login, coordinator, shift):
    one = login(coordinator).patch(
        f"/api/v1/shifts/{shift.pk}/?scope=following", {"notes": "Bring ID"}, format="json"
    )
    assert (one.status_code, one.json()["count"]) == (200, 1)

    login(coordinator).delete(f"/api/v1/shifts/{shift.pk}/")
    response = login(coordinator).patch(f"/api/v1/shifts/{shift.pk}/", {"title": "Again"}, format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (400, "shift_cancelled")
    shift.refresh_from_db()
    assert (shift.title, shift.notes) == ("Evening line", "Bring ID")


def test_signup_assign_overlap_needs_confirmation(login, coordinator, volunteer, roster, shift):
    clash = ShiftFactory(roster=roster, starts_at=shift.starts_at, ends_at=shift.ends_at)
    signup_claim(shift=shift, person=volunteer)

    refused = login(coordinator).post(
        f"/api/v1/shifts/{clash.pk}/assign/", {"person": volunteer.pk}, format="json"
    )
    confirmed = login(coordinator).post(
        f"/api/v1/shifts/{clash.pk}/assign/", {"person": volunteer.pk, "confirm_overlap": True}, format="json"
    )

    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "overlap")
    assert confirmed.status_code == 201
    assert len(confirmed.json()["warnings"]) == 1


def test_shifts_list_bad_filter_is_400(login, volunteer, roster):
    response = login(volunteer).get(f"/api/v1/rosters/{roster.pk}/shifts/", {"start": "yesterday"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["start"]


def test_shifts_show_my_signup(login, volunteer, roster, shift):
    other = ShiftFactory(
        roster=roster,
        starts_at=shift.starts_at + timedelta(days=1),
        ends_at=shift.ends_at + timedelta(days=1),
    )
    mine = signup_claim(shift=shift, person=volunteer).signup

    listed = login(volunteer).get(f"/api/v1/rosters/{roster.pk}/shifts/").json()["results"]
    detail = login(volunteer).get(f"/api/v1/shifts/{shift.pk}/").json()
    other_detail = login(volunteer).get(f"/api/v1/shifts/{other.pk}/").json()

    assert [(s["id"], s["my_signup"]) for s in listed] == [
        (shift.pk, {"id": mine.pk, "status": "confirmed"}),
        (other.pk, None),
    ]
    assert (detail["my_signup"], other_detail["my_signup"]) == ({"id": mine.pk, "status": "confirmed"}, None)
