"""Swaps: offer my place, the first eligible person to accept takes it."""

from __future__ import annotations

import pytest

from scheduling.eligibility import _claim_rules, register_claim_rule
from scheduling.models import Signup, SwapOffer
from scheduling.services import signup_claim, swap_accept, swap_offer
from tests.factories import PersonFactory
from tests.scheduling.factories import QualificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(shift, volunteer):
    signup = signup_claim(shift=shift, person=volunteer).signup
    return swap_offer(signup=signup, actor=volunteer)


def test_swap_offer_through_api(login, shift, volunteer):
    signup = signup_claim(shift=shift, person=volunteer).signup

    response = login(volunteer).post(f"/api/v1/signups/{signup.pk}/swap/", {}, format="json")

    assert response.status_code == 201
    swap = SwapOffer.objects.get()
    assert response.json() == {
        "id": swap.pk,
        "signup": signup.pk,
        "status": "open",
        "taken_by": None,
        "created_at": response.json()["created_at"],
    }
    again = login(volunteer).post(f"/api/v1/signups/{signup.pk}/swap/", {}, format="json")
    assert again.status_code == 409
    assert SwapOffer.objects.count() == 1


def test_swap_accept_moves_the_place(login, offered, volunteer_on, shift):
    taker = volunteer_on(name="Tess")

    response = login(taker).post(f"/api/v1/swaps/{offered.pk}/accept/", {}, format="json")

    assert response.status_code == 201
    assert response.json()["signup"]["person"] == {"id": taker.pk, "name": "Tess"}
    assert response.json()["signup"]["status"] == "confirmed"
    offered.refresh_from_db()
    assert (offered.status, offered.taken_by_id) == ("taken", taker.pk)
    assert list(Signup.objects.order_by("pk").values_list("person_id", "status")) == [
        (offered.signup.person_id, "cancelled"),
        (taker.pk, "confirmed"),
    ]
    shift.refresh_from_db()
    assert shift.filled == 1


def test_swap_accept_second_taker_is_409(login, offered, volunteer_on):
    swap_accept(swap=offered, person=volunteer_on())
    late = volunteer_on()

    response = login(late).post(f"/api/v1/swaps/{offered.pk}/accept/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "swap_taken"
    assert Signup.objects.filter(person=late).count() == 0


def test_swap_accept_by_ineligible_person_is_403_and_changes_nothing(login, offered, volunteer_on, shift):
    qualification = QualificationFactory(name="Background check")
    shift.required_qualifications.add(qualification)
    unqualified = volunteer_on()

    response = login(unqualified).post(f"/api/v1/swaps/{offered.pk}/accept/", {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_eligible"
    assert "Background check" in response.json()["error"]["message"]
    offered.refresh_from_db()
    assert offered.status == "open"
    assert list(Signup.objects.values_list("status", flat=True)) == ["confirmed"]


def test_swap_accept_refused_by_registered_rule(offered, volunteer_on, monkeypatch):
    monkeypatch.setattr("scheduling.eligibility._claim_rules", list(_claim_rules))
    register_claim_rule(lambda shift, person: "Only approved sitters." if person.name == "Nope" else None)

    from village.api import DomainError

    with pytest.raises(DomainError) as caught:
        swap_accept(swap=offered, person=volunteer_on(name="Nope"))
    assert (caught.value.status_code, caught.value.message) == (403, "Only approved sitters.")
    offered.refresh_from_db()
    assert offered.status == "open"


def test_swap_accept_by_stranger_is_404(login, offered):
    response = login(PersonFactory()).post(f"/api/v1/swaps/{offered.pk}/accept/", {}, format="json")

    assert response.status_code == 404


def test_swap_accept_own_offer_is_400(login, offered, volunteer):
    response = login(volunteer).post(f"/api/v1/swaps/{offered.pk}/accept/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "own_swap"


def test_swap_withdraw_keeps_place(login, offered, volunteer, volunteer_on):
    response = login(volunteer).post(f"/api/v1/swaps/{offered.pk}/withdraw/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    taken = login(volunteer_on()).post(f"/api/v1/swaps/{offered.pk}/accept/", {}, format="json")
    assert taken.status_code == 409
    assert list(Signup.objects.values_list("person_id", "status")) == [(volunteer.pk, "confirmed")]


def test_swap_cancelling_signup_withdraws_offer(offered, volunteer):
    from scheduling.services import signup_cancel

    signup_cancel(signup=offered.signup, actor=volunteer)

    offered.refresh_from_db()
    assert offered.status == "withdrawn"


def test_swap_open_offer_shows_in_lists_and_accept_swap_by_signup(
    login, offered, volunteer_on, volunteer, shift
):
    taker = volunteer_on()
    listed = login(taker).get(f"/api/v1/shifts/{shift.pk}/signups/").json()["results"]
    mine = login(volunteer).get("/api/v1/me/commitments/").json()["results"]
    assert [(s["id"], s["open_swap"]) for s in listed] == [(offered.signup_id, offered.pk)]
    assert [(c["id"], c["open_swap"]) for c in mine] == [(offered.signup_id, offered.pk)]

    response = login(taker).post(f"/api/v1/signups/{offered.signup_id}/accept-swap/", {}, format="json")

    assert response.status_code == 201
    assert response.json()["signup"]["person"]["id"] == taker.pk
    again = login(volunteer_on()).post(f"/api/v1/signups/{offered.signup_id}/accept-swap/", {}, format="json")
    assert again.status_code == 404  # no open swap on that sign-up any more


def test_swap_offer_of_waitlisted_place_is_400(login, shift, volunteer_on):
    for _ in range(2):
        signup_claim(shift=shift, person=volunteer_on())
    waiting_person = volunteer_on()
    waiting = signup_claim(shift=shift, person=waiting_person, join_waitlist=True).signup

    response = login(waiting_person).post(f"/api/v1/signups/{waiting.pk}/swap/", {}, format="json")

    assert (response.status_code, response.json()["error"]["code"]) == (400, "not_active")
    assert SwapOffer.objects.count() == 0


def test_swap_board_lists_open_swaps_of_the_roster(login, offered, volunteer_on, roster, shift):
    other = volunteer_on(name="Olga")
    other_swap = swap_offer(signup=signup_claim(shift=shift, person=other).signup, actor=other)

    data = login(volunteer_on()).get(f"/api/v1/rosters/{roster.pk}/swaps/").json()

    assert data["count"] == 2
    assert [
        (s["id"], s["offered_by"]["name"], s["shift"]["id"], s["time_zone"]) for s in data["results"]
    ] == [
        (offered.pk, "Vera", shift.pk, "America/New_York"),
        (other_swap.pk, "Olga", shift.pk, "America/New_York"),
    ]
    assert login(PersonFactory()).get(f"/api/v1/rosters/{roster.pk}/swaps/").status_code == 404
