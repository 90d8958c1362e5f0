"""Who may claim: a role on the roster, valid qualifications, then the registered rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from accounts.models import Role
from scheduling import eligibility
from scheduling.eligibility import claim_refusal, claim_warnings, register_claim_rule, register_claim_warning
from scheduling.models import Roster, Signup
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterFactory,
    ShiftFactory,
)
from tests.scheduling.factories import PersonQualificationFactory, QualificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _isolated_registry(monkeypatch):
    monkeypatch.setattr(eligibility, "_claim_rules", list(eligibility._claim_rules))
    monkeypatch.setattr(eligibility, "_claim_warnings", list(eligibility._claim_warnings))


def test_eligibility_member_may_claim(shift, volunteer):
    assert claim_refusal(shift=shift, person=volunteer) is None


def test_eligibility_stranger_may_not(shift):
    stranger = PersonFactory(name="Sam")

    assert claim_refusal(shift=shift, person=stranger) == "Sam is not a member of Helpline."


def test_eligibility_org_volunteer_may_claim_duty_but_not_circle():
    organisation = OrganisationFactory()
    helper = OrganisationMembershipFactory(organisation=organisation, role=Role.VOLUNTEER).person
    duty = ShiftFactory(roster=RosterFactory(organisation=organisation, kind=Roster.Kind.DUTY))
    circle = ShiftFactory(
        roster=RosterFactory(organisation=organisation, kind=Roster.Kind.CIRCLE, name="Family")
    )

    assert claim_refusal(shift=duty, person=helper) is None
    assert claim_refusal(shift=circle, person=helper) == f"{helper} is not a member of Family."


def test_eligibility_requires_qualification(shift, volunteer):
    spanish = QualificationFactory(name="Spanish speaker")
    shift.required_qualifications.add(spanish)

    assert claim_refusal(shift=shift, person=volunteer) == (
        "This shift needs Spanish speaker, which Vera does not hold (or it has expired)."
    )
    PersonQualificationFactory(person=volunteer, qualification=spanish)
    assert claim_refusal(shift=shift, person=volunteer) is None


def test_eligibility_qualification_expiring_before_start_does_not_count(shift, volunteer):
    check = QualificationFactory(name="Background check")
    shift.required_qualifications.add(check)
    grant = PersonQualificationFactory(person=volunteer, qualification=check, expires_at=shift.starts_at)

    assert claim_refusal(shift=shift, person=volunteer) is not None
    grant.expires_at = shift.starts_at + timedelta(minutes=1)
    grant.save()
    assert claim_refusal(shift=shift, person=volunteer) is None


def test_eligibility_registered_rule_refuses_through_api(login, shift, volunteer):
    register_claim_rule(lambda s, p: "Childcare needs the family's approval." if s.pk == shift.pk else None)

    response = login(volunteer).post(f"/api/v1/shifts/{shift.pk}/signups/", {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "not_eligible",
        "message": "Childcare needs the family's approval.",
        "fields": {},
    }
    assert Signup.objects.count() == 0


def test_eligibility_register_twice_is_once(shift, volunteer):
    calls = []

    def rule(s, p):
        calls.append(1)
        return None

    register_claim_rule(rule)
    register_claim_rule(rule)
    claim_refusal(shift=shift, person=volunteer)

    assert calls == [1]


def test_eligibility_warnings_come_back_with_claim(login, shift, volunteer):
    register_claim_warning(lambda s, p: "This is outside the times you said you are available.")
    register_claim_warning(lambda s, p: None)

    assert claim_warnings(shift=shift, person=volunteer) == [
        "This is outside the times you said you are available."
    ]
    response = login(volunteer).post(f"/api/v1/shifts/{shift.pk}/signups/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["warnings"] == ["This is outside the times you said you are available."]
