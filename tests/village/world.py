"""A small seeded world in which every /api/v1/ path id exists, and one person per role.

Shared by the permission matrix and the schema fuzzing. The circle's private details carry
distinctive values so a test can search raw response bytes for any leak of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.invitation_services import invitation_create
from accounts.models import Invitation, Organisation, Person, Role
from notifications.channels import unsubscribe_token
from notifications.kinds import registered_kinds
from notifications.models import Notification
from practical.models import Circle, HelpRequest
from rosters.models import AutofillAssignment, AutofillProposal, AvailabilityException, ShiftTemplate
from scheduling.models import PersonQualification, Qualification, Roster, Shift, Signup, SwapOffer
from scheduling.services import signup_claim, swap_offer
from tests.factories import (
    CircleFactory,
    HelpRequestFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterFactory,
    RosterMembershipFactory,
    ShiftFactory,
)
from tests.notifications.factories import NotificationFactory

ROLES = ("anonymous", "stranger", "volunteer", "circle_coordinator", "org_coordinator")

# Private to the circle: none of these may reach anyone outside it.
SECRETS = {
    "name": "Quenbyworth Household",
    "address": "77 Zanzibar Crescent, Oddletown",
    "phone": "+1 555 0199 7731",
    "likes": "Marzipan-kohlrabi bake",
    "dislikes": "Tarragon-anchovy toast",
    "dropoff_instructions": "Blue cooler behind the Xylograph shed",
    "pets": "Two ferrets called Wobblesnoot",
    "visitor_policy": "Visitors welcome after Ypsilanti hour",
    "allergies_other": "Quodlibet berries",
    "child": "Ingleborough",
}


@dataclass
class World:
    people: dict[str, Person | None]
    tokens: dict[str, str]
    organisation: Organisation
    circle: Circle
    help_request: HelpRequest
    circle_signup: Signup
    roster: Roster
    shift: Shift
    signup: Signup
    swap: SwapOffer
    template: ShiftTemplate
    proposal: AutofillProposal
    assignment: AutofillAssignment
    qualification: Qualification
    grant: PersonQualification
    exception: AvailabilityException
    invitation: Invitation
    invitation_token: str
    notification: Notification
    unsubscribe: str
    ids: dict[str, object] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens.get(role)
        return {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}


def build_world() -> World:
    now = timezone.now()
    organisation = OrganisationFactory(name="Proof Organisation")
    stranger = PersonFactory(name="Stranger Person")
    volunteer = PersonFactory(name="Volunteer Person")
    circle_coordinator = PersonFactory(name="Circle Coordinator")
    org_coordinator = PersonFactory(name="Organisation Coordinator")
    OrganisationMembershipFactory(organisation=organisation, person=volunteer, role=Role.VOLUNTEER)
    OrganisationMembershipFactory(organisation=organisation, person=org_coordinator, role=Role.COORDINATOR)

    circle = CircleFactory(
        organisation=organisation,
        roster__organisation=organisation,
        roster__name=SECRETS["name"],
        name=SECRETS["name"],
        address=SECRETS["address"],
        phone=SECRETS["phone"],
        likes=SECRETS["likes"],
        dislikes=SECRETS["dislikes"],
        dropoff_instructions=SECRETS["dropoff_instructions"],
        pets=SECRETS["pets"],
        visitor_policy=SECRETS["visitor_policy"],
        allergies_other=SECRETS["allergies_other"],
        children=[{"name": SECRETS["child"], "birth_date": "2020-05-01"}],
        created_by=circle_coordinator,
    )
    RosterMembershipFactory(roster=circle.roster, person=circle_coordinator, role=Role.COORDINATOR)
    RosterMembershipFactory(roster=circle.roster, person=volunteer, role=Role.VOLUNTEER)
    help_request = HelpRequestFactory(circle=circle)
    circle_signup = signup_claim(shift=help_request.shift, person=volunteer).signup

    roster = RosterFactory(organisation=organisation, name="Proof Helpline")
    shift = ShiftFactory(
        roster=roster, title="Helpline evening", capacity=3, starts_at=now + timedelta(days=4)
    )
    signup = signup_claim(shift=shift, person=volunteer).signup
    later = ShiftFactory(roster=roster, title="Helpline weekend", starts_at=now + timedelta(days=6))
    swap = swap_offer(signup=signup_claim(shift=later, person=volunteer).signup, actor=volunteer)

    template = ShiftTemplate.objects.create(
        roster=roster,
        title="Weekly helpline",
        weekdays=[0, 2],
        start_time=time(18),
        duration=timedelta(hours=2),
    )
    proposal = AutofillProposal.objects.create(
        roster=roster,
        starts_at=now,
        ends_at=now + timedelta(days=7),
        solver_status="OPTIMAL",
        created_by=org_coordinator,
    )
    proposal.rosters.add(roster)
    assignment = AutofillAssignment.objects.create(proposal=proposal, shift=later, person=org_coordinator)
    qualification = Qualification.objects.create(
        organisation=organisation, code="first-aid", name="First aid"
    )
    grant = PersonQualification.objects.create(
        person=volunteer, qualification=qualification, granted_by=org_coordinator
    )
    exception = AvailabilityException.objects.create(
        person=volunteer, starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=21), note="Away"
    )
    created = invitation_create(
        inviter=org_coordinator, target_kind=Invitation.TargetKind.ORGANISATION, target_id=organisation.pk
    )
    notification = NotificationFactory(recipient=volunteer)
    kind = sorted(registered_kinds())[0]

    people: dict[str, Person | None] = {
        "anonymous": None,
        "stranger": stranger,
        "volunteer": volunteer,
        "circle_coordinator": circle_coordinator,
        "org_coordinator": org_coordinator,
    }
    tokens = {role: Token.objects.create(user=p).key for role, p in people.items() if p is not None}
    world = World(
        people=people,
        tokens=tokens,
        organisation=organisation,
        circle=circle,
        help_request=help_request,
        circle_signup=circle_signup,
        roster=roster,
        shift=shift,
        signup=signup,
        swap=swap,
        template=template,
        proposal=proposal,
        assignment=assignment,
        qualification=qualification,
        grant=grant,
        exception=exception,
        invitation=created.invitation,
        invitation_token=created.token,
        notification=notification,
        unsubscribe=unsubscribe_token(person_id=volunteer.pk, kind=kind),
    )
    world.ids = {
        "organisation_id": organisation.pk,
        "circle_id": circle.pk,
        "person_id": volunteer.pk,
        "request_id": help_request.pk,
        "roster_id": roster.pk,
        "shift_id": shift.pk,
        "signup_id": signup.pk,
        "swap_id": swap.pk,
        "template_id": template.pk,
        "proposal_id": proposal.pk,
        "assignment_id": assignment.pk,
        "qualification_id": qualification.pk,
        "grant_id": grant.pk,
        "exception_id": exception.pk,
        "invitation_id": created.invitation.pk,
        "pk": notification.pk,
        "id": notification.pk,
        "token": created.token,
    }
    return world
