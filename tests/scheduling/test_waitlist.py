"""The waitlist: a freed place is held for the next in line, who accepts, declines or lets it lapse."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from scheduling.models import Signup
from scheduling.services import signup_cancel, signup_claim, waitlist_offers_expire

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_shift_with_line(shift, volunteer_on):
    holders = [signup_claim(shift=shift, person=volunteer_on()).signup for _ in range(2)]
    line = [signup_claim(shift=shift, person=volunteer_on(), join_waitlist=True).signup for _ in range(2)]
    return shift, holders, line


@override_settings(WAITLIST_OFFER_HOLD=timedelta(hours=12))
def test_waitlist_cancel_offers_place_to_head_of_line(full_shift_with_line):
    shift, holders, line = full_shift_with_line
    before = timezone.now()

    signup_cancel(signup=holders[0], actor=holders[0].person)

    for signup in line:
        signup.refresh_from_db()
    assert [s.status for s in line] == ["offered", "waitlisted"]
    assert before + timedelta(hours=12) <= line[0].offer_expires_at <= timezone.now() + timedelta(hours=12)
    shift.refresh_from_db()
    assert shift.filled == 2  # the place is held for the one offered


def test_waitlist_offer_never_outlasts_the_shift_start(full_shift_with_line, settings):
    shift, holders, line = full_shift_with_line
    settings.WAITLIST_OFFER_HOLD = timedelta(days=30)

    signup_cancel(signup=holders[0], actor=holders[0].person)

    line[0].refresh_from_db()
    assert line[0].offer_expires_at == shift.starts_at


def test_waitlist_accept_offer_confirms(login, full_shift_with_line):
    shift, holders, line = full_shift_with_line
    signup_cancel(signup=holders[0], actor=holders[0].person)

    response = login(line[0].person).post(f"/api/v1/signups/{line[0].pk}/accept-offer/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert response.json()["offer_expires_at"] is None
    shift.refresh_from_db()
    assert shift.filled == 2


def test_waitlist_accept_expired_offer_is_409(login, full_shift_with_line):
    _shift, holders, line = full_shift_with_line
    signup_cancel(signup=holders[0], actor=holders[0].person)
    Signup.objects.filter(pk=line[0].pk).update(offer_expires_at=timezone.now() - timedelta(seconds=1))

    response = login(line[0].person).post(f"/api/v1/signups/{line[0].pk}/accept-offer/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "offer_expired"
    line[0].refresh_from_db()
    assert line[0].status == "offered"


def test_waitlist_accept_someone_elses_offer_is_404(login, full_shift_with_line):
    _shift, holders, line = full_shift_with_line
    signup_cancel(signup=holders[0], actor=holders[0].person)

    response = login(line[1].person).post(f"/api/v1/signups/{line[0].pk}/accept-offer/", {}, format="json")

    assert response.status_code == 404
    line[0].refresh_from_db()
    assert line[0].status == "offered"


def test_waitlist_decline_passes_to_next(login, full_shift_with_line):
    shift, holders, line = full_shift_with_line
    signup_cancel(signup=holders[0], actor=holders[0].person)

    response = login(line[0].person).post(f"/api/v1/signups/{line[0].pk}/decline-offer/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    line[1].refresh_from_db()
    assert line[1].status == "offered"
    shift.refresh_from_db()
    assert shift.filled == 2


def test_waitlist_offers_expire_passes_on_and_is_idempotent(full_shift_with_line):
    shift, holders, line = full_shift_with_line
    signup_cancel(signup=holders[0], actor=holders[0].person)
    line[0].refresh_from_db()
    later = line[0].offer_expires_at + timedelta(seconds=1)

    assert waitlist_offers_expire(now=later) == 1
    assert waitlist_offers_expire(now=later) == 0  # the next offer runs from `later`, not yet due

    line[0].refresh_from_db()
    line[1].refresh_from_db()
    assert (line[0].status, line[1].status) == ("cancelled", "offered")
    shift.refresh_from_db()
    assert shift.filled == 2


def test_waitlist_offers_expire_with_empty_line_frees_the_place(shift, volunteer_on):
    holder = signup_claim(shift=shift, person=volunteer_on()).signup
    signup_claim(shift=shift, person=volunteer_on())
    waiting = signup_claim(shift=shift, person=volunteer_on(), join_waitlist=True).signup
    signup_cancel(signup=holder, actor=holder.person)
    waiting.refresh_from_db()

    assert waitlist_offers_expire(now=waiting.offer_expires_at) == 1

    shift.refresh_from_db()
    assert shift.filled == 1


def test_waitlist_leaving_the_line_keeps_filled(login, full_shift_with_line):
    shift, _holders, line = full_shift_with_line

    response = login(line[0].person).post(f"/api/v1/signups/{line[0].pk}/cancel/", {}, format="json")

    assert response.status_code == 200
    shift.refresh_from_db()
    assert shift.filled == 2


# --- Cancel cut-off -----------------------------------------------------------------------------


def test_cancel_after_cutoff_becomes_a_request(login, roster, shift, volunteer, coordinator):
    roster.cancel_cutoff = timedelta(days=7)  # the shift is 3 days away: inside the cut-off
    roster.save()
    signup = signup_claim(shift=shift, person=volunteer).signup

    response = login(volunteer).post(f"/api/v1/signups/{signup.pk}/cancel/", {"reason": "Flu"}, format="json")

    assert response.status_code == 202
    assert response.json()["status"] == "confirmed"
    assert response.json()["cancel_requested_at"] is not None
    shift.refresh_from_db()
    assert shift.filled == 1

    approved = login(coordinator).post(f"/api/v1/signups/{signup.pk}/cancel/", {}, format="json")

    assert approved.status_code == 200
    assert approved.json()["status"] == "cancelled"
    shift.refresh_from_db()
    assert shift.filled == 0


def test_cancel_request_declined_keeps_place(login, roster, shift, volunteer, coordinator):
    roster.cancel_cutoff = timedelta(days=7)
    roster.save()
    signup = signup_claim(shift=shift, person=volunteer).signup
    signup_cancel(signup=signup, actor=volunteer)

    response = login(coordinator).post(f"/api/v1/signups/{signup.pk}/decline-cancel/", {}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_requested_at"]) == ("confirmed", None)


def test_cancel_before_cutoff_is_immediate(login, roster, shift, volunteer):
    roster.cancel_cutoff = timedelta(days=1)
    roster.save()
    signup = signup_claim(shift=shift, person=volunteer).signup

    response = login(volunteer).post(f"/api/v1/signups/{signup.pk}/cancel/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_waitlist_expiry_is_a_periodic_job(full_shift_with_line):
    from notifications.scheduler import registered_jobs, run_due_jobs

    shift, holders, line = full_shift_with_line
    signup_cancel(signup=holders[0], actor=holders[0].person)
    line[0].refresh_from_db()

    job = registered_jobs()["scheduling.waitlist_offers_expire"]
    assert job.every == timedelta(minutes=1)
    assert "scheduling.waitlist_offers_expire" in run_due_jobs(
        now=line[0].offer_expires_at + timedelta(seconds=1)
    )

    line[1].refresh_from_db()
    assert line[1].status == "offered"
    shift.refresh_from_db()
    assert shift.filled == 2


def test_waitlist_stale_waitlisted_copy_still_returns_the_offered_place(full_shift_with_line):
    shift, holders, line = full_shift_with_line
    stale = Signup.objects.get(pk=line[0].pk)  # loaded while still waitlisted
    signup_cancel(signup=holders[0], actor=holders[0].person)  # now offered, holding a place

    signup_cancel(signup=stale, actor=stale.person)

    shift.refresh_from_db()
    line[1].refresh_from_db()
    assert (line[1].status, shift.filled) == ("offered", 2)
