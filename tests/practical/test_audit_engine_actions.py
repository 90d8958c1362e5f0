"""Coordinators' changes to volunteers' places through the engine's endpoints reach the family's log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practical import audit
from practical.models import CircleAuditEntry
from scheduling.models import Shift
from scheduling.services import signup_claim
from tests.factories import RosterFactory, RosterMembershipFactory
from tests.practical.help_factories import add_volunteer, circle_with_people, make_request

pytestmark = pytest.mark.django_db


def _log(client, circle, **params):
    response = client.get(f"/api/v1/circles/{circle.pk}/audit/", params)
    assert response.status_code == 200, response.json()
    return [(row["action"], row["actor_name"], row["target_name"]) for row in response.json()["results"]]


def test_audit_engine_assign_unassign_and_marks_are_logged_for_the_family(login):
    people = circle_with_people(name="The Lopez family")
    family, ana = people.coordinator, people.volunteer
    ben = add_volunteer(people.circle, name="Ben Jones")
    request = make_request(people, starts_at=timezone.now() + timedelta(days=3), capacity=2)
    shift_id = request.shift_id
    coordinator = login(family)

    assigned = coordinator.post(f"/api/v1/shifts/{shift_id}/assign/", {"person": ana.pk}, format="json")
    assert assigned.status_code == 201, assigned.json()
    ana_signup = assigned.json()["signup"]["id"]
    assert coordinator.post(f"/api/v1/signups/{ana_signup}/cancel/", {}, format="json").status_code == 200
    ben_signup = signup_claim(shift=request.shift, person=ben).signup
    # A volunteer giving up their own place is theirs to do, not a coordinator action.
    assert login(ben).post(f"/api/v1/signups/{ben_signup.pk}/cancel/", {}, format="json").status_code == 200
    kept = coordinator.post(f"/api/v1/shifts/{shift_id}/assign/", {"person": ben.pk}, format="json")
    missed = coordinator.post(f"/api/v1/shifts/{shift_id}/assign/", {"person": ana.pk}, format="json")
    assert (kept.status_code, missed.status_code) == (201, 201)
    Shift.objects.filter(pk=shift_id).update(starts_at=timezone.now() - timedelta(minutes=5))
    kept_id, missed_id = kept.json()["signup"]["id"], missed.json()["signup"]["id"]
    assert coordinator.post(f"/api/v1/signups/{kept_id}/complete/", {}, format="json").status_code == 200
    assert coordinator.post(f"/api/v1/signups/{missed_id}/no-show/", {}, format="json").status_code == 200

    assert _log(coordinator, people.circle) == [
        (audit.SIGNUP_NO_SHOW, "Maria Lopez", "Ana Smith"),
        (audit.SIGNUP_COMPLETED, "Maria Lopez", "Ben Jones"),
        (audit.SIGNUP_ASSIGNED, "Maria Lopez", "Ana Smith"),
        (audit.SIGNUP_ASSIGNED, "Maria Lopez", "Ben Jones"),
        (audit.SIGNUP_UNASSIGNED, "Maria Lopez", "Ana Smith"),
        (audit.SIGNUP_ASSIGNED, "Maria Lopez", "Ana Smith"),
        (audit.REQUEST_CREATED, "Maria Lopez", None),
    ]
    assert _log(coordinator, people.circle, action=audit.SIGNUP_ASSIGNED) == [
        (audit.SIGNUP_ASSIGNED, "Maria Lopez", "Ana Smith"),
        (audit.SIGNUP_ASSIGNED, "Maria Lopez", "Ben Jones"),
        (audit.SIGNUP_ASSIGNED, "Maria Lopez", "Ana Smith"),
    ]
    unassigned = CircleAuditEntry.objects.get(action=audit.SIGNUP_UNASSIGNED)
    assert unassigned.detail == {
        "shift_id": shift_id,
        "signup_id": ana_signup,
        "approved_cancel_request": False,
    }


def test_audit_engine_late_cancel_approved_or_declined_is_logged(login):
    people = circle_with_people()
    people.circle.roster.cancel_cutoff = timedelta(days=30)
    people.circle.roster.save()
    ben = add_volunteer(people.circle)
    request = make_request(people, starts_at=timezone.now() + timedelta(days=3), capacity=2)
    ana_signup = signup_claim(shift=request.shift, person=people.volunteer).signup
    ben_signup = signup_claim(shift=request.shift, person=ben).signup
    for volunteer, signup in ((people.volunteer, ana_signup), (ben, ben_signup)):
        late = login(volunteer).post(f"/api/v1/signups/{signup.pk}/cancel/", {}, format="json")
        assert late.status_code == 202, late.json()
    coordinator = login(people.coordinator)

    assert coordinator.post(f"/api/v1/signups/{ana_signup.pk}/cancel/", {}, format="json").status_code == 200
    assert (
        coordinator.post(f"/api/v1/signups/{ben_signup.pk}/decline-cancel/", {}, format="json").status_code
        == 200
    )

    entries = CircleAuditEntry.objects.filter(circle=people.circle).exclude(action=audit.REQUEST_CREATED)
    assert sorted(
        (entry.action, entry.target_person_id, entry.detail.get("approved_cancel_request"))
        for entry in entries
    ) == [
        (audit.CANCEL_REQUEST_DECLINED, ben.pk, None),
        (audit.SIGNUP_UNASSIGNED, people.volunteer.pk, True),
    ]


def test_audit_engine_actions_on_an_organisation_roster_write_no_circle_log(login):
    roster = RosterFactory()
    coordinator = RosterMembershipFactory(roster=roster, role="coordinator").person
    volunteer = RosterMembershipFactory(roster=roster, role="volunteer").person
    shift = Shift.objects.create(
        roster=roster,
        title="Helpline",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=2),
        capacity=1,
    )

    response = login(coordinator).post(
        f"/api/v1/shifts/{shift.pk}/assign/", {"person": volunteer.pk}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert CircleAuditEntry.objects.count() == 0
