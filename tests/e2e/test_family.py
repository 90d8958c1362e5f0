"""Journey (a): a family member starts a circle in guided steps and asks for dinner on repeat."""

from __future__ import annotations

from datetime import timedelta

import pytest

from practical.models import Circle, HelpRequest
from tests.e2e.conftest import Visit
from tests.factories import PASSWORD, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(visit: Visit, email: str, next_path: str = "/requests") -> None:
    page = visit.goto(f"/#/login?next={next_path}")
    page.wait_for_selector("h1:has-text('Log in')")
    visit.check("login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_family_starts_a_circle_and_asks_for_dinner_three_days_a_week(phone: Visit) -> None:
    visit = phone
    mum = PersonFactory(name="Lucía García", time_zone="America/Chicago")
    log_in(visit, mum.email, "/circles")
    page = visit.page
    page.wait_for_selector("h1:has-text('Circles')")
    visit.check("circles-empty")
    page.get_by_role("link", name="Start a circle for a family").first.click()

    page.wait_for_selector("h1:has-text('Start a circle')")
    visit.check("circle-step-who")
    page.get_by_label("Name of the circle").fill("The García family")
    page.get_by_label("Time zone").fill("America/Chicago")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("checkbox", name="Peanuts").check()
    page.get_by_role("checkbox", name="Vegetarian").check()
    visit.check("circle-step-food")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Drop-off instructions").fill("Cooler by the door; please text, don't ring.")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Home address").fill("12 Elm Street, Springfield")
    page.get_by_role("button", name="Start the circle").click()

    page.wait_for_selector("h1:text-is('The García family')")
    page.wait_for_selector("text=This household is allergic to:")
    visit.check("circle-home")
    circle = Circle.objects.get()
    assert (
        circle.name,
        circle.allergies,
        circle.dietary_preferences,
        circle.address,
        circle.roster.time_zone,
    ) == (
        "The García family",
        ["peanuts"],
        ["vegetarian"],
        "12 Elm Street, Springfield",
        "America/Chicago",
    )

    page.get_by_role("link", name="Ask for help").first.click()
    page.wait_for_selector("h1:has-text('Ask for help for The García family')")
    page.get_by_label("Servings").fill("4")
    page.get_by_label("Repeat on some days").check()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        page.get_by_role("checkbox", name=day).set_checked(day in {"Monday", "Wednesday", "Friday"})
    page.get_by_label("For how long?").select_option("2")
    visit.check("request-new")
    first_day = page.get_by_label("Date").input_value()
    page.get_by_role("button", name="Ask for this help").click()

    page.wait_for_selector("h1:text-is('The García family')")
    page.wait_for_selector("h2:has-text('Week of')")
    visit.check("circle-calendar-week")
    requests = list(HelpRequest.objects.select_related("shift").order_by("shift__starts_at"))
    assert {r.kind for r in requests} == {"meal"}
    assert {r.details["servings"] for r in requests} == {4}
    local_days = [r.shift.starts_at.astimezone(circle_zone(circle)) for r in requests]
    assert {d.strftime("%a") for d in local_days} == {"Mon", "Wed", "Fri"}
    assert {d.strftime("%H:%M") for d in local_days} == {"17:30"}
    assert str(local_days[0].date()) >= first_day
    # Two weeks of Mon/Wed/Fri from the chosen day: exactly six dinners.
    assert len(requests) == 6

    page.get_by_role("button", name="Month").click()
    page.wait_for_selector(".cal-table")
    visit.check("circle-month")


def circle_zone(circle: Circle):
    from zoneinfo import ZoneInfo

    return ZoneInfo(circle.roster.time_zone)


def circle_with_a_helper_coming():
    from practical.help.services import help_request_claim
    from scheduling.models import RosterMembership
    from tests.e2e.test_volunteer import family_with_a_dinner_request

    circle, dinner, _token = family_with_a_dinner_request()
    ana = PersonFactory(name="Ana Ruiz")
    RosterMembership.objects.create(roster=circle.roster, person=ana, role="volunteer", status="active")
    signup = help_request_claim(help_request=dinner, person=ana, dish="Lentil soup").signup
    return circle, dinner, signup


def test_family_trusts_a_helper_with_childcare_and_pauses(visit: Visit) -> None:
    from practical.models import ChildcareApproval

    circle, _dinner, _signup = circle_with_a_helper_coming()
    log_in(visit, circle.created_by.email, f"/circles/{circle.pk}")
    page = visit.page
    page.get_by_role("button", name="Trust Ana Ruiz with childcare").click()
    page.get_by_text("Trusted with childcare").wait_for()
    assert list(ChildcareApproval.objects.values_list("person__name", flat=True)) == ["Ana Ruiz"]
    page.get_by_role("button", name="Pause all requests").click()
    page.wait_for_selector("text=This circle is paused.")
    visit.check("circle-paused")
    circle.refresh_from_db()
    assert circle.status == "paused"


def test_family_asks_once_for_an_errand_with_a_shopping_list(phone: Visit) -> None:
    from practical.services import circle_create

    mum = PersonFactory(name="Lucía García")
    circle = circle_create(created_by=mum, name="The García family", time_zone="America/Chicago")
    log_in(phone, mum.email, f"/circles/{circle.pk}/requests/new")
    page = phone.page
    page.wait_for_selector("h1:has-text('Ask for help for The García family')")
    page.get_by_label("Errand").check()
    page.get_by_label("What to get").fill("Diapers, size 1\nOat milk\n\nBread")
    page.locator("input[name=start]").fill("10:00")
    page.locator("input[name=end]").fill("12:00")
    phone.check("errand-new")
    page.get_by_role("button", name="Ask for this help").click()
    page.wait_for_selector("h1:text-is('The García family')")
    phone.check("circle-after-errand")
    errand = HelpRequest.objects.select_related("shift").get()
    assert (errand.kind, errand.details, errand.shift.capacity) == (
        "errand",
        {"items": ["Diapers, size 1", "Oat milk", "Bread"]},
        1,
    )
    local = errand.shift.starts_at.astimezone(circle_zone(circle))
    assert (local.strftime("%H:%M"), errand.shift.ends_at - errand.shift.starts_at) == (
        "10:00",
        timedelta(hours=2),
    )


def test_family_thanks_the_helper_who_brought_dinner(visit: Visit) -> None:
    circle, dinner, signup = circle_with_a_helper_coming()
    log_in(visit, circle.created_by.email, f"/requests/{dinner.pk}")
    page = visit.page
    page.wait_for_selector("h2:has-text('Who is coming')")
    page.wait_for_selector("text=Bringing: Lentil soup")
    visit.check("request-coordinator")
    page.get_by_role("button", name="Thank Ana Ruiz").click()
    page.get_by_label("Your message").fill("Thank you, Ana! The soup was perfect.")
    page.get_by_role("button", name="Send thanks").click()
    page.locator("li.card", has_text="Ana Ruiz").get_by_text("Thanks sent").wait_for()
    visit.check("thanks-sent")
    dinner.refresh_from_db()
    assert {key: note["message"] for key, note in dinner.details["_thanks"].items()} == {
        str(signup.pk): "Thank you, Ana! The soup was perfect."
    }


def test_family_edits_the_household_and_makes_an_invite_link(phone: Visit) -> None:
    from accounts.models import Invitation
    from practical.services import circle_create

    mum = PersonFactory(name="Lucía García")
    circle = circle_create(created_by=mum, name="The García family", time_zone="America/Chicago")
    log_in(phone, mum.email, f"/circles/{circle.pk}/edit")
    page = phone.page
    page.wait_for_selector("h1:has-text('Household: The García family')")
    phone.check("household-edit")
    page.get_by_role("checkbox", name="Sesame").check()
    page.get_by_label("Pets").fill("A friendly dog")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("h1:text-is('The García family')")
    phone.check("circle-after-edit")
    circle.refresh_from_db()
    assert (circle.allergies, circle.pets) == (["sesame"], "A friendly dog")

    page.get_by_role("link", name="Invite people").first.click()
    page.wait_for_selector("h1:has-text('Invite people to help The García family')")
    page.get_by_role("button", name="Make an invite link").click()
    link = page.get_by_label("Invite link")
    link.wait_for()
    assert "/#/join/" in link.input_value()
    phone.check("invite-link")
    page.get_by_label("E-mail").fill("aunt.rosa@example.org")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_selector("text=Invitation sent to aunt.rosa@example.org.")
    phone.check("invite-sent")
    assert sorted(Invitation.objects.values_list("email", flat=True)) == ["", "aunt.rosa@example.org"]
