"""Claiming and giving up places, through the API a volunteer uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scheduling import eligibility
from scheduling.eligibility import register_claim_rule
from scheduling.models import Shift, Signup
from scheduling.services import FULL_MESSAGE, signup_cancel, signup_claim
from tests.factories import PersonFactory, RosterFactory, ShiftFactory

pytestmark = pytest.mark.django_db


def claim(login, person, shift, **body):
    return login(person).post(f"/api/v1/shifts/{shift.pk}/signups/", body, format="json")


def test_signup_claim_takes_a_place(login, volunteer, shift):
    response = claim(login, volunteer, shift, note="Bringing soup")

    assert response.status_code == 201
    signup = Signup.objects.get()
    assert response.json() == {
        "signup": {
            "id": signup.pk,
            "shift": shift.pk,
            "person": {"id": volunteer.pk, "name": "Vera"},
            "status": "confirmed",
            "note": "Bringing soup",
            "offer_expires_at": None,
            "cancel_requested_at": None,
            "cancelled_at": None,
            "sequence": 0,
            "created_at": response.json()["signup"]["created_at"],
            "open_swap": None,
        },
        "warnings": [],
    }
    shift.refresh_from_db()
    assert shift.filled == 1


def test_signup_claim_refuses_twice(login, volunteer, shift):
    assert claim(login, volunteer, shift).status_code == 201

    response = claim(login, volunteer, shift)

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "already_claimed",
        "message": "You already have this slot.",
        "fields": {},
    }
    shift.refresh_from_db()
    assert (shift.filled, Signup.objects.count()) == (1, 1)


def test_signup_claim_refuses_a_second_place_on_the_waitlist(login, volunteer_on, shift):
    for _ in range(2):
        assert claim(login, volunteer_on(), shift).status_code == 201
    waiting = volunteer_on()
    assert claim(login, waiting, shift, join_waitlist=True).status_code == 201

    response = claim(login, waiting, shift, join_waitlist=True)

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "already_claimed",
        "message": "You are already on the waitlist for this slot.",
        "fields": {},
    }
    assert Signup.objects.filter(person=waiting).count() == 1


def test_signup_claim_refuses_full_shift(login, volunteer_on, shift):
    for _ in range(2):
        assert claim(login, volunteer_on(), shift).status_code == 201

    response = claim(login, volunteer_on(), shift)

    assert response.status_code == 409
    assert response.json()["error"] == {"code": "full", "message": FULL_MESSAGE, "fields": {}}
    assert FULL_MESSAGE.startswith("This slot was just taken. ")
    shift.refresh_from_db()
    assert (shift.filled, Signup.objects.count()) == (2, 2)


def test_signup_claim_on_a_full_shift_says_full_before_asking_any_rule(
    login, volunteer_on, shift, monkeypatch
):
    # Under contention nearly every claim arrives after the last place went: the shift's row
    # already says so, and neither the eligibility rules nor the UPDATE run for it.
    for _ in range(2):
        assert claim(login, volunteer_on(), shift).status_code == 201
    asked = []
    monkeypatch.setattr(eligibility, "_claim_rules", list(eligibility._claim_rules))  # this test's rule only
    register_claim_rule(lambda s, p: asked.append(p.pk) or "Needs the family's approval.")
    late = volunteer_on()

    with CaptureQueriesContext(connection) as queries:
        response = claim(login, late, shift)

    assert (response.status_code, response.json()["error"]["code"]) == (409, "full")
    assert asked == []
    assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")] == []
    # With room the same rule is asked, and refuses.
    shift.capacity = 3
    shift.save(update_fields=["capacity"])
    refused = claim(login, late, shift)
    assert (refused.status_code, refused.json()["error"]["code"], asked) == (403, "not_eligible", [late.pk])


def test_signup_claim_again_on_a_full_shift_is_already_claimed_not_full(login, volunteer_on, shift):
    holders = [volunteer_on(), volunteer_on()]
    for person in holders:
        assert claim(login, person, shift).status_code == 201

    response = claim(login, holders[0], shift)

    assert (response.status_code, response.json()["error"]["message"]) == (409, "You already have this slot.")


def test_signup_claim_on_a_shift_id_out_of_range_is_404(login, volunteer):
    response = login(volunteer).post(f"/api/v1/shifts/{2**63}/signups/", {}, format="json")

    assert response.status_code == 404


def test_signup_claim_joins_waitlist_when_asked(login, volunteer_on, shift):
    for _ in range(2):
        claim(login, volunteer_on(), shift)

    response = claim(login, volunteer_on(), shift, join_waitlist=True)

    assert response.status_code == 201
    assert response.json()["signup"]["status"] == "waitlisted"
    shift.refresh_from_db()
    assert shift.filled == 2


def test_signup_claim_refuses_cancelled_shift(login, volunteer, shift):
    Shift.objects.filter(pk=shift.pk).update(status=Shift.Status.CANCELLED)

    response = claim(login, volunteer, shift)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "shift_cancelled"
    assert Signup.objects.count() == 0


def test_signup_claim_refuses_past_shift(login, volunteer, roster):
    past = ShiftFactory(
        roster=roster,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1),
    )

    response = claim(login, volunteer, past)

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "shift_past",
        "message": "This shift has already started or passed.",
        "fields": {},
    }
    past.refresh_from_db()
    assert (past.filled, Signup.objects.count()) == (0, 0)


def test_signup_claim_hides_shift_of_foreign_roster(login, shift):
    outsider = PersonFactory()

    response = claim(login, outsider, shift)

    assert response.status_code == 404
    assert Signup.objects.count() == 0


def test_signup_claim_unknown_field_is_400(login, volunteer, shift):
    response = claim(login, volunteer, shift, bring="soup")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"bring": ["This field is not recognised."]}
    assert Signup.objects.count() == 0


def test_signup_cancel_frees_the_place(login, volunteer, shift):
    signup = signup_claim(shift=shift, person=volunteer).signup

    response = login(volunteer).post(
        f"/api/v1/signups/{signup.pk}/cancel/", {"reason": "Sick"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    shift.refresh_from_db()
    assert shift.filled == 0
    signup.refresh_from_db()
    assert (signup.status, signup.cancel_reason) == ("cancelled", "Sick")


def test_signup_cancel_twice_is_400(volunteer, shift):
    signup = signup_claim(shift=shift, person=volunteer).signup
    signup_cancel(signup=signup, actor=volunteer)

    from village.api import DomainError

    with pytest.raises(DomainError) as caught:
        signup_cancel(signup=signup, actor=volunteer)
    assert (caught.value.status_code, caught.value.code) == (400, "not_active")
    shift.refresh_from_db()
    assert shift.filled == 0


def test_signup_cancel_by_stranger_is_404(login, volunteer, shift):
    signup = signup_claim(shift=shift, person=volunteer).signup
    other_roster_person = PersonFactory()
    RosterFactory()

    response = login(other_roster_person).post(f"/api/v1/signups/{signup.pk}/cancel/", {}, format="json")

    assert response.status_code == 404
    signup.refresh_from_db()
    assert signup.status == "confirmed"


def test_signup_claim_on_shift_cancelled_meanwhile_says_cancelled(volunteer, shift):
    from village.api import DomainError

    Shift.objects.filter(pk=shift.pk).update(status=Shift.Status.CANCELLED)  # `shift` in memory is stale

    with pytest.raises(DomainError) as caught:
        signup_claim(shift=shift, person=volunteer)

    assert (caught.value.status_code, caught.value.code) == (400, "shift_cancelled")
    assert Signup.objects.count() == 0


def test_signup_claim_join_waitlist_with_room_gets_the_place(volunteer, shift):
    result = signup_claim(shift=shift, person=volunteer, join_waitlist=True)

    assert result.signup.status == "confirmed"


def test_signup_claim_flexible_window_open_until_it_ends(login, volunteer, roster):
    now = timezone.now()
    window = ShiftFactory(
        roster=roster, is_flexible=True, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2)
    )

    response = claim(login, volunteer, window)

    assert response.status_code == 201


def test_signup_claim_org_coordinator_without_roster_membership(login):
    from accounts.models import Role
    from tests.factories import OrganisationFactory, OrganisationMembershipFactory

    organisation = OrganisationFactory()
    boss = OrganisationMembershipFactory(organisation=organisation, role=Role.COORDINATOR).person
    shift = ShiftFactory(roster=RosterFactory(organisation=organisation))

    response = claim(login, boss, shift)

    assert response.status_code == 201


def test_signup_accept_offer_refused_when_no_longer_qualified(volunteer_on, shift):
    from scheduling.services import signup_accept_offer
    from tests.scheduling.factories import PersonQualificationFactory, QualificationFactory
    from village.api import DomainError

    check = QualificationFactory(name="Background check")
    shift.required_qualifications.add(check)
    people = [volunteer_on() for _ in range(3)]
    grants = [PersonQualificationFactory(person=p, qualification=check) for p in people]
    holder = signup_claim(shift=shift, person=people[0]).signup
    signup_claim(shift=shift, person=people[1])
    waiting = signup_claim(shift=shift, person=people[2], join_waitlist=True).signup
    signup_cancel(signup=holder, actor=people[0])
    grants[2].delete()
    waiting.refresh_from_db()

    with pytest.raises(DomainError) as caught:
        signup_accept_offer(signup=waiting, actor=people[2])

    assert (caught.value.status_code, caught.value.code) == (403, "not_eligible")
    waiting.refresh_from_db()
    assert waiting.status == "offered"


def test_signup_cancel_after_start_is_refused_for_volunteer_not_coordinator(
    login, volunteer, coordinator, shift
):
    signup = signup_claim(shift=shift, person=volunteer).signup
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() - timedelta(minutes=10), ends_at=timezone.now() + timedelta(hours=1)
    )

    refused = login(volunteer).post(f"/api/v1/signups/{signup.pk}/cancel/", {}, format="json")
    done = login(coordinator).post(f"/api/v1/signups/{signup.pk}/cancel/", {}, format="json")

    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "shift_past")
    assert (done.status_code, done.json()["status"]) == (200, "cancelled")
    shift.refresh_from_db()
    assert shift.filled == 0


def test_signup_claim_404_for_foreign_shift_looks_like_missing_shift(login, shift):
    outsider = PersonFactory()

    foreign = claim(login, outsider, shift)
    missing = login(outsider).post("/api/v1/shifts/999999/signups/", {}, format="json")

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json() == missing.json()
