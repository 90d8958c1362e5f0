from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import Person
from practical.models import Circle, Contribution, HelpRequest
from scheduling.models import Roster, Shift, Signup
from village.demo import DEMO_LOGINS, DEMO_PASSWORD


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
