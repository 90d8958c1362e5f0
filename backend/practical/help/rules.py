"""Claim rules the engine asks about help requests, registered in practical's AppConfig.ready().

They apply to every way of claiming a circle's shift (``requests/{id}/claim/`` and the engine's
own ``shifts/{id}/signups/``), which is why they live in the engine's registry rather than only
in this app's claim service.
"""

from __future__ import annotations

from accounts.models import Person
from practical.models import ChildcareApproval, Circle, HelpRequest
from scheduling.eligibility import missing_qualifications, register_claim_rule
from scheduling.models import Shift
from scheduling.selectors import roster_role

CHILDCARE_REFUSAL = (
    "Childcare is only for volunteers the family has approved to look after their children. "
    "If you'd like to help this way, ask the circle's coordinator to approve you — "
    "meanwhile, a meal or an errand helps just as much."
)
PAUSED_REFUSAL = "This family has paused requests for now. Thank you for offering — please check back later."
CLOSED_REFUSAL = "This circle is closed, so it no longer takes new sign-ups."


def _help_request(shift: Shift) -> HelpRequest | None:
    try:
        return shift.help_request
    except HelpRequest.DoesNotExist:
        return None


def childcare_trust_gate(shift: Shift, person: Person) -> str | None:
    """Childcare is a trust decision: the family's approval, or a qualification the shift requires.

    The circle's coordinators (the family's side) are not gated: they grant the approvals.
    """
    help_request = _help_request(shift)
    if help_request is None or help_request.kind != HelpRequest.Kind.CHILDCARE:
        return None
    if ChildcareApproval.objects.filter(circle_id=help_request.circle_id, person=person).exists():
        return None
    if shift.required_qualifications.exists() and not missing_qualifications(shift=shift, person=person):
        return None
    if roster_role(roster=shift.roster, person=person) == "coordinator":
        return None
    return CHILDCARE_REFUSAL


def circle_open_for_claims(shift: Shift, person: Person) -> str | None:
    """A paused or closed circle takes no new sign-ups, whichever endpoint is used."""
    help_request = _help_request(shift)
    if help_request is None:
        return None
    status = Circle.objects.filter(pk=help_request.circle_id).values_list("status", flat=True).first()
    if status == Circle.Status.PAUSED:
        return PAUSED_REFUSAL
    if status == Circle.Status.CLOSED:
        return CLOSED_REFUSAL
    return None


def register() -> None:
    """Called from ``PracticalConfig.ready()``; registering twice is a no-op in the engine."""
    register_claim_rule(circle_open_for_claims)
    register_claim_rule(childcare_trust_gate)
