"""Demo data for the embedded default: an organisation, two families' circles, volunteers, a helpline.

Everything is made through the same services the API uses, so the demo obeys every rule (capacity,
eligibility, allergens). Seeding is idempotent: a second run finds the demo organisation and stops.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.models import MembershipStatus, Organisation, OrganisationMembership, Person, Role
from accounts.services import organisation_create, person_create
from practical.help.details import validate_details
from practical.help.services import help_request_claim, help_request_create, help_request_series_create
from practical.models import Circle, HelpRequest
from practical.services import childcare_approval_create, circle_create, circle_membership_join
from rosters.services.people import (
    availability_replace,
    limits_set,
    qualification_create,
    qualification_grant,
)
from rosters.services.templates import shifts_generate, template_create
from scheduling.services.shifts import roster_create
from scheduling.services.signups import signup_claim

DEMO_ORGANISATION = "Bloom Postpartum Support (demo)"
DEMO_PASSWORD = "village-demo-2026"  # noqa: S105 -- printed to the person running the demo on purpose
DEMO_DOMAIN = "village.test"
ZONE = "America/New_York"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


DEMO_LOGINS = [
    DemoLogin(f"coordinator@{DEMO_DOMAIN}", "organisation coordinator (helpline roster, the Garcia circle)"),
    DemoLogin(f"maria@{DEMO_DOMAIN}", "family: the Garcia family's circle"),
    DemoLogin(f"amy@{DEMO_DOMAIN}", "friend organising the Okafor family's circle"),
    DemoLogin(f"ana@{DEMO_DOMAIN}", "volunteer (Garcia circle, childcare-approved, helpline)"),
    DemoLogin(f"ben@{DEMO_DOMAIN}", "volunteer (both circles)"),
    DemoLogin(f"diego@{DEMO_DOMAIN}", "volunteer, Spanish speaker (helpline, Garcia circle)"),
]


def demo_exists() -> bool:
    return Organisation.objects.filter(name=DEMO_ORGANISATION).exists()


def demo_remove() -> None:
    """Delete every demo person, organisation, roster and circle (nothing else)."""
    with transaction.atomic():
        organisations = Organisation.objects.filter(name=DEMO_ORGANISATION)
        Circle.objects.filter(created_by__email__endswith=f"@{DEMO_DOMAIN}").delete()
        from scheduling.models import Roster

        Roster.objects.filter(organisation__in=organisations).delete()
        Roster.objects.filter(kind=Roster.Kind.CIRCLE, circle__isnull=True).delete()
        organisations.delete()
        Person.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").delete()


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(ZONE))


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def demo_seed(progress: Callable[[str], None] = lambda _: None) -> list[DemoLogin]:
    """Create the demo world; returns the logins to print. Call only when ``demo_exists()`` is False."""
    today = timezone.now().astimezone(ZoneInfo(ZONE)).date()
    with transaction.atomic():
        progress("people")
        people = {
            key: person_create(
                email=f"{key}@{DEMO_DOMAIN}", name=name, password=DEMO_PASSWORD, language=lang, time_zone=ZONE
            )
            for key, name, lang in [
                ("coordinator", "Rosa Alvarez", "en"),
                ("maria", "María Garcia", "es"),
                ("amy", "Amy Chen", "en"),
                ("ana", "Ana Silva", "en"),
                ("ben", "Ben Walker", "en"),
                ("chloe", "Chloe Martin", "en"),
                ("diego", "Diego Ramírez", "es"),
                ("emma", "Emma Johnson", "en"),
                ("frank", "Frank Osei", "en"),
            ]
        }
        coordinator = people["coordinator"]
        organisation = organisation_create(
            creator=coordinator, name=DEMO_ORGANISATION, time_zone=ZONE
        ).organisation
        for key in ("ana", "ben", "diego", "emma", "frank"):
            OrganisationMembership.objects.create(
                organisation=organisation,
                person=people[key],
                role=Role.VOLUNTEER,
                status=MembershipStatus.ACTIVE,
            )

        progress("the Garcia family's circle")
        garcia = circle_create(
            created_by=people["maria"],
            name="The Garcia family",
            time_zone=ZONE,
            adults=2,
            children=[
                {"name": "Lucía", "age_years": 3},
                {"name": "Mateo", "birth_date": str(today - timedelta(days=12))},
            ],
            dietary_preferences=["no_pork"],
            allergies=["peanuts", "tree_nuts"],
            allergies_other="Mild sensitivity to strawberries",
            likes="Soups, rice dishes, anything with vegetables",
            dislikes="Very spicy food",
            dropoff_instructions="Leave meals in the cooler by the front door and text when you arrive; the baby naps 1–3 pm.",
            delivery_window_start=time(17, 0),
            delivery_window_end=time(18, 30),
            quiet_hours_start=time(13, 0),
            quiet_hours_end=time(15, 0),
            visitor_policy="Short visits (30 min) are welcome after calling ahead.",
            illness_policy="Please don't visit if you or anyone at home has been ill in the last 48 hours.",
            pets="One friendly cat",
            address="418 Maple Avenue, Apt 2B, Springfield",
            phone="+1 555 0142",
        )
        # The organisation looks after this family, so its coordinator coordinates the circle too.
        Circle.objects.filter(pk=garcia.pk).update(organisation=organisation)
        garcia.roster.organisation = organisation
        garcia.roster.save(update_fields=["organisation"])
        garcia.organisation = organisation
        for key in ("ana", "ben", "chloe", "diego"):
            circle_membership_join(
                circle=garcia, person=people[key], role=Role.VOLUNTEER, status=MembershipStatus.ACTIVE
            )
        childcare_approval_create(circle=garcia, person_id=people["ana"].pk, approved_by=people["maria"])

        progress("the Garcia family's requests")
        maria = people["maria"]
        monday = _next_weekday(today, 0)
        meals = help_request_series_create(
            circle=garcia,
            actor=maria,
            kind=HelpRequest.Kind.MEAL,
            details=validate_details(
                kind="meal",
                details={
                    "servings": 4,
                    "delivery_window_start": "17:00",
                    "delivery_window_end": "18:30",
                    "containers_to_return": True,
                },
            ),
            rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=9",
            first_starts_at=_local(monday, time(17, 30)),
            duration=timedelta(hours=1),
            title="Dinner for four",
        )
        help_request_series_create(
            circle=garcia,
            actor=maria,
            kind=HelpRequest.Kind.LAUNDRY,
            details=validate_details(
                kind="laundry",
                details={
                    "pickup_instructions": "Bag by the door",
                    "return_instructions": "Folded, same place",
                },
            ),
            rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=3",
            first_starts_at=_local(_next_weekday(today, 3), time(10, 0)),
            duration=timedelta(hours=2),
            title="Laundry",
        )
        childcare = help_request_create(
            circle=garcia,
            actor=maria,
            kind=HelpRequest.Kind.CHILDCARE,
            details=validate_details(kind="childcare", details={"children": ["Lucía"], "where": "At home"}),
            starts_at=_local(_next_weekday(today, 5), time(14, 0)),
            ends_at=_local(_next_weekday(today, 5), time(16, 0)),
            title="Play time with Lucía so María can sleep",
        )
        help_request_create(
            circle=garcia,
            actor=maria,
            kind=HelpRequest.Kind.ERRAND,
            details=validate_details(
                kind="errand",
                details={
                    "items": ["Diapers size 1", "Oat milk", "Bread"],
                    "budget": {"amount": "40.00", "currency": "USD"},
                    "reimbursement": "family_pays_back",
                },
            ),
            starts_at=_local(today + timedelta(days=2), time(0, 0)),
            is_flexible=True,
            title="Groceries",
        )
        help_request_create(
            circle=garcia,
            actor=maria,
            kind=HelpRequest.Kind.VISIT,
            details=validate_details(kind="visit", details={"purpose": "Company and a cup of tea"}),
            starts_at=_local(today + timedelta(days=4), time(11, 0)),
            ends_at=_local(today + timedelta(days=4), time(12, 0)),
            title="Morning visit",
        )
        help_request_create(
            circle=garcia,
            actor=maria,
            kind=HelpRequest.Kind.RIDE,
            details=validate_details(
                kind="ride",
                details={
                    "from": "Home",
                    "to": "Springfield Pediatrics, 20 Oak St",
                    "appointment_at": _local(today + timedelta(days=6), time(9, 30)).isoformat(),
                },
            ),
            starts_at=_local(today + timedelta(days=6), time(9, 0)),
            ends_at=_local(today + timedelta(days=6), time(11, 0)),
            title="Ride to the two-week check-up",
        )
        help_request_create(
            circle=garcia,
            actor=maria,
            kind=HelpRequest.Kind.OTHER,
            details=validate_details(kind="other", details={"description": "Take the recycling out"}),
            starts_at=_local(today + timedelta(days=3), time(0, 0)),
            is_flexible=True,
            title="Recycling",
        )
        help_request_claim(
            help_request=meals[0], person=people["ana"], dish="Vegetable lasagna", notes="Vegetarian"
        )
        help_request_claim(help_request=meals[1], person=people["ben"], dish="Chicken and rice soup")
        help_request_claim(help_request=childcare, person=people["ana"])

        progress("the Okafor family's circle")
        okafor = circle_create(
            created_by=people["amy"],
            name="The Okafor family",
            time_zone=ZONE,
            adults=2,
            children=[{"name": "Chidi", "birth_date": str(today - timedelta(days=5))}],
            dietary_preferences=["vegetarian"],
            allergies=["milk"],
            likes="Jollof rice, stews, fresh fruit",
            dropoff_instructions="Ring once and leave it on the porch bench.",
            address="77 Birch Lane, Springfield",
            phone="+1 555 0177",
        )
        for key in ("ben", "emma"):
            circle_membership_join(
                circle=okafor, person=people[key], role=Role.VOLUNTEER, status=MembershipStatus.ACTIVE
            )
        okafor_meals = help_request_series_create(
            circle=okafor,
            actor=people["amy"],
            kind=HelpRequest.Kind.MEAL,
            details=validate_details(kind="meal", details={"servings": 3}),
            rrule="FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4",
            first_starts_at=_local(_next_weekday(today, 1), time(18, 0)),
            duration=timedelta(hours=1),
            title="Vegetarian dinner",
        )
        help_request_claim(
            help_request=okafor_meals[0],
            person=people["emma"],
            dish="Vegetable jollof rice",
            contains_allergens=[],
        )

        progress("the helpline roster")
        qualifications = {
            code: qualification_create(organisation=organisation, actor=coordinator, code=code, name=name)
            for code, name in [
                ("peer-supporter", "Trained peer supporter"),
                ("spanish", "Spanish speaker"),
                ("background-checked", "Background-checked"),
            ]
        }
        grants = {
            "ana": ["peer-supporter", "background-checked"],
            "diego": ["peer-supporter", "spanish"],
            "emma": ["peer-supporter", "spanish", "background-checked"],
            "frank": ["peer-supporter"],
            "ben": ["peer-supporter"],
        }
        for key, codes in grants.items():
            for code in codes:
                qualification_grant(qualification=qualifications[code], person=people[key], actor=coordinator)
        helpline = roster_create(
            organisation=organisation,
            name="Helpline (phone and text)",
            created_by=coordinator,
            time_zone=ZONE,
            description="Evening helpline in English and Spanish.",
        )
        template_create(
            roster=helpline,
            actor=coordinator,
            title="Helpline evening",
            weekdays=[0, 1, 2, 3, 4],
            start_time=time(18, 0),
            duration=timedelta(hours=3),
            capacity=2,
            required_qualifications=[qualifications["peer-supporter"].pk],
            requirements=[{"qualification": qualifications["spanish"].pk, "count": 1}],
            call_link="https://meet.example.org/bloom-helpline",
        )
        template_create(
            roster=helpline,
            actor=coordinator,
            title="Online support group",
            weekdays=[1],
            start_time=time(19, 0),
            duration=timedelta(minutes=90),
            capacity=1,
            required_qualifications=[qualifications["peer-supporter"].pk],
            call_link="https://meet.example.org/bloom-group",
        )
        shifts_generate(
            roster=helpline,
            actor=coordinator,
            start=today + timedelta(days=1),
            end=today + timedelta(days=28),
            now=timezone.now(),
        )
        for key in ("ana", "diego", "emma", "frank", "ben"):
            availability_replace(
                person=people[key],
                windows=[{"weekday": d, "start": time(17, 30), "end": time(22, 0)} for d in range(5)],
            )
            limits_set(person=people[key], max_shifts_per_week=2, min_rest_hours=Decimal("10"))
        first_helpline = helpline.shifts.order_by("starts_at").first()
        if first_helpline is not None:
            signup_claim(shift=first_helpline, person=people["diego"])
    return DEMO_LOGINS
