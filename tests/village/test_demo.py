from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from practical.models import Circle, Contribution, HelpRequest
from scheduling.models import PersonQualification, Roster, Shift, Signup
from tests.calendars.support import parse_icaljs, parse_strict
from village.demo import DEMO_DOMAIN, DEMO_LOGINS, DEMO_PASSWORD, ZONE


def _counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "circles": Circle.objects.count(),
        "requests": HelpRequest.objects.count(),
        "shifts": Shift.objects.count(),
        "signups": Signup.objects.count(),
    }


@pytest.mark.django_db
def test_demo_is_idempotent_and_its_logins_work_through_the_api(api):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first

    for login in DEMO_LOGINS:
        response = api.post(
            "/api/v1/auth/login/", {"email": login.email, "password": DEMO_PASSWORD}, format="json"
        )
        assert response.status_code == 200, (login.email, response.content)
        api.post("/api/v1/auth/logout/")


@pytest.mark.django_db
def test_demo_has_every_kind_of_request_a_helpline_and_consistent_counts():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sorted(set(HelpRequest.objects.values_list("kind", flat=True))) == sorted(HelpRequest.Kind.values)
    assert Circle.objects.count() == 2
    helpline = Roster.objects.get(kind=Roster.Kind.DUTY)
    assert helpline.shifts.count() > 15
    assert Contribution.objects.exclude(dish="").count() == 3
    # The engine's counter agrees with the sign-ups it guards.
    for shift in Shift.objects.all():
        confirmed = shift.signups.filter(status__in=["confirmed", "offered"]).count()
        assert shift.filled == confirmed, shift


@pytest.mark.django_db
def test_demo_reset_reseeds_without_duplicates():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("demo", "--reset", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first


def _holders(people: set[int], qualification_ids: list[int], at: datetime) -> set[int]:
    """Those of ``people`` holding every one of the qualifications, still valid at ``at``."""
    found = set(people)
    for qid in qualification_ids:
        valid = PersonQualification.objects.filter(qualification_id=qid).exclude(expires_at__lte=at)
        found &= set(valid.values_list("person_id", flat=True))
    return found


@pytest.mark.django_db
def test_demo_helpline_places_have_enough_qualified_volunteers():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    helpline = Roster.objects.get(kind=Roster.Kind.DUTY)
    volunteers = set(
        OrganisationMembership.objects.filter(
            organisation=helpline.organisation, role=Role.VOLUNTEER, status=MembershipStatus.ACTIVE
        ).values_list("person_id", flat=True)
    )
    shifts = list(helpline.shifts.prefetch_related("required_qualifications", "place_requirements"))
    assert {r.qualification.code for s in shifts for r in s.place_requirements.all()} == {"spanish"}
    for shift in shifts:
        required = [q.pk for q in shift.required_qualifications.all()]
        assert required != [], shift
        # Every place can go to someone holding what all places need…
        assert len(_holders(volunteers, required, shift.starts_at)) >= shift.capacity, shift
        # …and each reserved place to someone who also holds its own qualification.
        for requirement in shift.place_requirements.all():
            qualified = _holders(volunteers, [*required, requirement.qualification_id], shift.starts_at)
            assert len(qualified) >= requirement.count, shift


@pytest.mark.django_db(transaction=True)
def test_demo_volunteer_feed_over_http_parses_shows_local_times_and_dies_on_rotate(
    api, live_server, settings
):
    """Issue 5's done-when: a demo volunteer's feed URL, fetched over HTTP, parses clean in both
    parsers, shows their commitments at the right local times, and rotating kills the old URL."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # ~1 s per person otherwise
    settings.SITE_URL = live_server.url
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    zone = ZoneInfo(ZONE)

    # Ana holds meals and childcare in the Garcia circle; Diego a helpline shift.
    for key, wall_clock in (("ana", {"17:30-18:30", "14:00-16:00"}), ("diego", {"18:00-21:00"})):
        email = f"{key}@{DEMO_DOMAIN}"
        logged_in = api.post(
            "/api/v1/auth/login/", {"email": email, "password": DEMO_PASSWORD}, format="json"
        )
        assert logged_in.status_code == 200, logged_in.content
        url = api.get("/api/v1/me/feeds/").json()["urls"]["url"]
        assert url.startswith(f"{live_server.url}/calendars/")

        with urllib.request.urlopen(url) as response:
            assert (response.status, response.headers["Content-Type"]) == (
                200,
                "text/calendar; charset=utf-8",
            )
            body = response.read()
        parse_strict(body)
        events = parse_icaljs(body)["events"]

        held = Signup.objects.filter(person__email=email).select_related("shift__roster")
        expected = sorted(
            (
                f"signup-{s.pk}@village",
                s.shift.roster.time_zone,
                s.shift.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S"),
                s.shift.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            for s in held
        )
        assert sorted((e["uid"], e["tzid"], e["start_local"], e["start_utc"]) for e in events) == expected
        # The wall-clock times the demo asked for, as the client shows them in New York.
        shown = {
            f"{e['start_local'][11:16]}-{datetime.fromisoformat(e['end_utc']).astimezone(zone):%H:%M}"
            for e in events
        }
        assert shown == wall_clock

        rotated = api.post("/api/v1/me/feeds/rotate/")
        assert rotated.status_code == 201
        with pytest.raises(urllib.error.HTTPError) as gone:
            urllib.request.urlopen(url)
        assert gone.value.code == 404
        with urllib.request.urlopen(rotated.json()["urls"]["url"]) as response:
            assert response.status == 200
        api.post("/api/v1/auth/logout/")
