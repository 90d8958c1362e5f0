"""Journey (b): a first-time volunteer on a phone opens an invite link, signs up, brings a meal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.invitation_services import invitation_create
from practical.help.services import help_request_create
from practical.models import Contribution
from practical.services import circle_create
from scheduling.models import Signup
from tests.e2e.conftest import Visit
from tests.factories import PASSWORD, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def family_with_a_dinner_request():
    coordinator = PersonFactory(name="Lucía García")
    circle = circle_create(
        created_by=coordinator, name="The García family", time_zone="America/Chicago", allergies=["peanuts"]
    )
    zone = ZoneInfo("America/Chicago")
    day = (timezone.now().astimezone(zone) + timedelta(days=2)).date()
    starts = timezone.datetime(day.year, day.month, day.day, 18, 0, tzinfo=zone)
    dinner = help_request_create(
        circle=circle,
        actor=coordinator,
        kind="meal",
        title="Dinner",
        details={"servings": 4},
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    invitation = invitation_create(inviter=coordinator, target_kind="circle", target_id=circle.pk)
    return circle, dinner, invitation.token


def test_first_time_volunteer_claims_a_meal_from_an_invite_link_on_a_phone(phone: Visit) -> None:
    _circle, dinner, token = family_with_a_dinner_request()
    page = phone.goto(f"/#/join/{token}")

    page.wait_for_selector("h1:has-text('Help The García family')")
    phone.check("join")
    page.get_by_label("Your name").fill("Ana Ruiz")
    page.get_by_label("E-mail").fill("ana@example.org")
    page.get_by_label("Password").fill("a long enough password 42")
    page.get_by_role("button", name="Create my account").click()

    page.wait_for_selector("h1:has-text('Help The García family')")
    page.wait_for_selector("text=This household is allergic to:")
    phone.check("circle-requests")
    page.get_by_role("link", name="I'll bring a meal").first.click()

    page.wait_for_selector("h2:has-text('What will you bring?')")
    phone.check("claim")
    page.get_by_label("Your dish").fill("Peanut noodles")
    page.get_by_role("checkbox", name="Peanuts").check()
    page.get_by_role("button", name="I'll bring it").click()
    # The household is allergic to peanuts: the server refuses, and the form keeps what was typed.
    alert = page.locator(".form-status .error-box")
    alert.wait_for()
    assert "peanut" in alert.inner_text().lower()
    assert page.get_by_label("Your dish").input_value() == "Peanut noodles"
    assert Signup.objects.count() == 0
    phone.check("claim-refused")

    page.get_by_label("Your dish").fill("Chicken soup and bread")
    page.get_by_role("checkbox", name="Peanuts").uncheck()
    page.get_by_role("checkbox", name="Wheat").check()
    page.get_by_role("button", name="I'll bring it").click()
    page.wait_for_selector("text=Thank you! You're signed up to help The García family.")
    phone.check("claimed")

    signup = Signup.objects.select_related("person").get()
    assert (signup.person.name, signup.person.email, signup.status, signup.shift_id) == (
        "Ana Ruiz",
        "ana@example.org",
        "confirmed",
        dinner.shift_id,
    )
    contribution = Contribution.objects.get(signup=signup)
    assert (contribution.dish, contribution.contains_allergens) == ("Chicken soup and bread", ["wheat"])

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar").click()
    ics = Path(download.value.path()).read_text()
    assert ics.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:" in ics

    page.get_by_role("link", name="See my commitments").click()
    page.wait_for_selector("h1:has-text('My commitments')")
    card = page.locator("li.card", has_text="Dinner")
    card.wait_for()
    assert "The García family" in card.inner_text()
    assert "You're signed up" in card.inner_text()
    phone.check("commitments")

    page.get_by_role("button", name="Get my calendar link").click()
    apple = page.get_by_role("link", name="Apple Calendar")
    apple.wait_for()
    assert apple.get_attribute("href").startswith("webcal://")
    assert (
        page.get_by_role("link", name="Google Calendar")
        .get_attribute("href")
        .startswith("https://calendar.google.com/")
    )
    assert "outlook.live.com" in page.get_by_role("link", name="Outlook").get_attribute("href")
    phone.check("feeds")


def test_spanish_reader_with_an_account_joins_and_is_refused_an_allergen_in_spanish(phone: Visit) -> None:
    _circle, _dinner, token = family_with_a_dinner_request()
    maria = PersonFactory(name="María López", language="es")
    phone.context.add_init_script("localStorage.setItem('village.lang', 'es')")
    page = phone.goto(f"/#/join/{token}")
    page.wait_for_selector("h1:has-text('Ayuda a The García family')")
    page.get_by_role("button", name="Ya tengo cuenta").click()
    phone.check("join-login-es")
    page.get_by_label("Correo electrónico").fill(maria.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()

    page.wait_for_selector("text=Esta familia es alérgica a:")
    phone.check("circle-requests-es")
    page.get_by_role("link", name="Yo llevo una comida").first.click()
    page.wait_for_selector("h2:has-text('¿Qué vas a llevar?')")
    phone.check("claim-es")
    page.get_by_label("Tu plato").fill("Pad thai")
    page.get_by_role("checkbox", name="Cacahuetes / maní").check()
    page.get_by_role("button", name="Yo lo llevo").click()
    alert = page.locator(".form-status .error-box")
    alert.wait_for()
    assert (
        alert.inner_text()
        == "Tu plato lleva algo a lo que esta familia es alérgica. Elige otro plato, por favor."
    )
    assert page.get_by_label("Tu plato").input_value() == "Pad thai"
    phone.check("claim-refused-es")
    assert Signup.objects.count() == 0
