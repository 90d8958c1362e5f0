"""Journey: the family sees who was shown their details, takes their data with them, deletes the circle.

The screens are for the circle's coordinators; a volunteer of the same circle finds no way in.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Person
from practical.help.services import help_request_claim, help_request_create
from practical.models import AddressRead, Circle, CircleAuditEntry, HelpRequest
from practical.services import circle_create
from scheduling.models import RosterMembership, Signup
from scheduling.services import signup_cancel
from tests.e2e.conftest import Visit
from tests.e2e.test_family import log_in
from tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHICAGO = ZoneInfo("America/Chicago")
HELPLINE = "footer a[href='tel:+18009444773']"


def family_with_ana_coming_for_dinner() -> tuple[Circle, HelpRequest, Person, Signup]:
    """A circle with an address, and Ana holding tomorrow's dinner (so she may see the address)."""
    mum = PersonFactory(name="Lucía García")
    circle = circle_create(
        created_by=mum,
        name="The García family",
        time_zone="America/Chicago",
        address="12 Elm Street, Springfield",
        phone="555-0100",
    )
    day = (timezone.now().astimezone(CHICAGO) + timedelta(days=1)).date()
    starts = datetime(day.year, day.month, day.day, 18, 0, tzinfo=CHICAGO)
    dinner = help_request_create(
        circle=circle,
        actor=mum,
        kind="meal",
        title="Dinner",
        details={"servings": 4},
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    ana = PersonFactory(name="Ana Ruiz")
    RosterMembership.objects.create(roster=circle.roster, person=ana, role="volunteer", status="active")
    signup = help_request_claim(help_request=dinner, person=ana, dish="Lentil soup").signup
    return circle, dinner, ana, signup


def audit_lines(visit: Visit) -> list[str]:
    # Intl may put a narrow no-break space before "PM"; the words are what the family reads.
    return [
        re.sub(r"\s+", " ", text.replace("\u202f", " ")).strip()
        for text in visit.page.locator(".audit-list li").all_inner_texts()
    ]


def chicago(moment: datetime) -> str:
    local = moment.astimezone(CHICAGO)
    return f"{local:%a}, {local:%b} {local.day}, {local.hour % 12 or 12}:{local:%M} {local:%p}"


def switch_to_spanish(visit: Visit, heading: str) -> None:
    visit.page.get_by_role("button", name="Cambiar a español").click()
    visit.page.wait_for_selector(f"h1:has-text('{heading}')")


def test_family_sees_an_address_read_and_a_coordinator_action_and_filters_to_address_reads(
    visit: Visit,
) -> None:
    circle, dinner, ana, signup = family_with_ana_coming_for_dinner()
    mum = circle.created_by
    # Ana opens the request the day before, as the API does for her: she is shown the address.
    ana_api = Client()
    ana_api.force_login(ana)
    assert ana_api.get(f"/api/v1/requests/{dinner.pk}/").json()["address"] == "12 Elm Street, Springfield"
    shown_at = AddressRead.objects.get().read_at

    log_in(visit, mum.email, f"/circles/{circle.pk}")
    page = visit.page
    page.wait_for_selector("h1:text-is('The García family')")
    # A coordinator action made on the page, and one through the engine (taking Ana off).
    page.get_by_role("button", name="Trust Ana Ruiz with childcare").click()
    page.get_by_text("Trusted with childcare").wait_for()
    signup_cancel(signup=signup, actor=mum)
    visit.check("circle-with-data-links")
    page.get_by_role("link", name="Who has seen your details").click()

    page.wait_for_selector("h1:has-text('Who has seen your details: The García family')")
    page.locator(".audit-list").wait_for()
    visit.check("activity")
    dinner_at = dinner.shift.starts_at.astimezone(CHICAGO)
    day = f"{dinner_at:%a}, {dinner_at:%b} {dinner_at.day}"
    entries = list(CircleAuditEntry.objects.order_by("-created_at", "-pk"))
    assert [entry.action for entry in entries] == [
        "signup_unassigned",
        "childcare_approved",
        "request_created",
    ]
    assert audit_lines(visit) == [
        f"Lucía García took Ana Ruiz off Dinner on {day} {chicago(entries[0].created_at)}",
        f"Lucía García trusted Ana Ruiz with childcare {chicago(entries[1].created_at)}",
        f"Ana Ruiz was shown your address and phone (request page) {chicago(shown_at)}",
        f"Lucía García asked for help: Dinner on {day} {chicago(entries[2].created_at)}",
    ]
    assert page.locator(HELPLINE).is_visible()

    # Keyboard: the filter is a link reached and followed without a mouse.
    page.get_by_role("link", name="Only address views").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Only address views")).to_have_attribute("aria-current", "true")
    page.locator(".audit-list").wait_for()
    assert audit_lines(visit) == [
        f"Ana Ruiz was shown your address and phone (request page) {chicago(shown_at)}",
    ]
    visit.check("activity-address-only")

    switch_to_spanish(visit, "Quién ha visto tus datos")
    page.locator(".audit-list").wait_for()
    assert [line.split(" (")[0] for line in audit_lines(visit)] == [
        "A Ana Ruiz se le mostró tu dirección y teléfono",
    ]
    visit.check("activity-address-only-es")
    page.get_by_role("link", name="Todo").click()
    page.locator(".audit-list li").nth(3).wait_for()
    assert audit_lines(visit)[0].startswith("Lucía García quitó a Ana Ruiz de Dinner del ")
    visit.check("activity-es")


def test_family_pages_through_a_long_activity_log(phone: Visit) -> None:
    circle, _dinner, ana, _signup = family_with_ana_coming_for_dinner()
    now = timezone.now()
    AddressRead.objects.bulk_create(
        AddressRead(circle=circle, person=ana, via="calendar:feed", read_at=now - timedelta(hours=i + 1))
        for i in range(24)
    )
    log_in(phone, circle.created_by.email, quote(f"/circles/{circle.pk}/activity?show=address", safe="/"))
    page = phone.page
    page.wait_for_selector("h1:has-text('Who has seen your details')")
    page.locator(".audit-list").wait_for()
    assert page.locator(".audit-list li").count() == 20
    assert page.get_by_text("Page 1 of 2").is_visible()
    phone.check("activity-page-1")
    page.get_by_role("link", name="Older").click()
    page.get_by_text("Page 2 of 2").wait_for()
    assert audit_lines(phone)[-1].startswith("Ana Ruiz was shown your address and phone (calendar) ")
    assert page.locator(".audit-list li").count() == 4
    assert page.get_by_role("link", name="Older").count() == 0
    phone.check("activity-page-2")
    page.get_by_role("link", name="Newer").click()
    page.get_by_text("Page 1 of 2").wait_for()


def test_family_with_no_activity_yet_is_told_so(phone: Visit) -> None:
    mum = PersonFactory(name="Lucía García")
    circle = circle_create(created_by=mum, name="The García family", time_zone="America/Chicago")
    log_in(phone, mum.email, quote(f"/circles/{circle.pk}/activity?show=address", safe="/"))
    page = phone.page
    page.get_by_text("Nobody has been shown your address or phone yet.").wait_for()
    phone.check("activity-empty")


def test_activity_that_cannot_load_says_so_and_tries_again(phone: Visit) -> None:
    circle, _dinner, _ana, _signup = family_with_ana_coming_for_dinner()
    log_in(phone, circle.created_by.email, "/circles")
    page = phone.page
    page.wait_for_selector("h1:has-text('Circles')")
    page.route("**/api/v1/circles/*/audit/**", lambda route: route.abort())
    phone.goto(f"/#/circles/{circle.pk}/activity")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text().startswith("We can't reach Village right now.")
    # The one console error is the request this test cut off.
    assert [e for e in phone.console_errors if "net::ERR_FAILED" not in e] == []
    phone.console_errors.clear()
    page.unroute("**/api/v1/circles/*/audit/**")
    page.get_by_role("button", name="Try again").click()
    page.locator(".audit-list").wait_for()
    assert audit_lines(phone)[0].startswith("Lucía García asked for help: Dinner on ")
    phone.check("activity-after-retry")


def test_family_downloads_all_their_data_as_a_json_file(visit: Visit, tmp_path: Path) -> None:
    circle, _dinner, _ana, _signup = family_with_ana_coming_for_dinner()
    log_in(visit, circle.created_by.email, f"/circles/{circle.pk}")
    page = visit.page
    page.get_by_role("link", name="Download or delete your data").click()
    page.get_by_role("heading", name="Your family's data: The García family").wait_for()
    visit.check("data")
    assert page.locator(HELPLINE).is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download all our data").click()
    download = download_info.value
    assert download.suggested_filename == f"village-circle-{circle.pk}.json"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = json.loads(saved.read_text())
    assert (data["circle"]["name"], data["circle"]["address"]) == (
        "The García family",
        "12 Elm Street, Springfield",
    )
    assert [(r["kind"], r["title"]) for r in data["requests"]] == [("meal", "Dinner")]
    page.get_by_text(f"Downloaded village-circle-{circle.pk}.json.").wait_for()
    visit.check("data-downloaded")

    switch_to_spanish(visit, "Los datos de tu familia")
    page.get_by_role("button", name="Descargar todos nuestros datos").wait_for()
    visit.check("data-es")


def test_family_deletes_the_circle_after_a_wrong_name_is_refused(visit: Visit) -> None:
    circle, _dinner, _ana, signup = family_with_ana_coming_for_dinner()
    log_in(visit, circle.created_by.email, f"/circles/{circle.pk}/data")
    page = visit.page
    page.get_by_role("heading", name="Your family's data: The García family").wait_for()
    zone = page.locator("section.danger-zone")
    expect(zone.get_by_role("heading", name="Delete this circle")).to_be_visible()
    assert "This cannot be undone." in zone.inner_text()
    confirm = page.get_by_label("To confirm, type the circle's name: The García family")
    confirm.fill("The Garcia family")
    page.get_by_role("button", name="Delete this circle for good").click()
    alert = zone.locator(".form-status .error-box")
    alert.wait_for()
    assert alert.inner_text() == "To delete this circle, type its name exactly as it is shown."
    expect(confirm).to_have_attribute("aria-invalid", "true")
    assert page.locator(".field-error").inner_text() == "Type “The García family” to confirm."
    visit.check("delete-refused")
    circle.refresh_from_db()
    signup.refresh_from_db()
    assert (circle.name, circle.deleted_at, signup.status) == ("The García family", None, "confirmed")

    switch_to_spanish(visit, "Los datos de tu familia")
    confirm = page.get_by_label("Para confirmar, escribe el nombre del círculo: The García family")
    confirm.fill("the garcía family")
    page.get_by_role("button", name="Eliminar este círculo para siempre").click()
    zone.locator(".form-status .error-box").wait_for()
    assert zone.locator(".form-status .error-box").inner_text() == (
        "Para eliminar este círculo, escribe su nombre exactamente como aparece."
    )
    assert page.locator(".field-error").inner_text() == "Escribe «The García family» para confirmar."
    visit.check("delete-refused-es")

    confirm.fill("The García family")
    confirm.press("Enter")
    expect(page.locator("#toast")).to_have_text(
        "The García family se eliminó. Avisamos a las personas que iban a venir."
    )
    page.wait_for_url(re.compile(r"#/requests$"))
    page.wait_for_selector("h1")
    visit.check("after-delete-es")
    circle.refresh_from_db()
    signup.refresh_from_db()
    assert (circle.name, circle.deleted_at is not None, circle.address, signup.status) == (
        "Deleted circle",
        True,
        "",
        "cancelled",
    )


def test_volunteer_finds_no_link_to_the_family_data_and_is_refused_at_the_url(phone: Visit) -> None:
    circle, _dinner, ana, _signup = family_with_ana_coming_for_dinner()
    log_in(phone, ana.email, "/circles")
    page = phone.page
    page.wait_for_selector("h1:has-text('Circles')")
    phone.check("volunteer-circles")
    family_pages = "a[href*='/activity'], a[href*='/data']"
    assert page.locator(family_pages).count() == 0
    page.get_by_role("link", name="The García family").click()
    page.wait_for_selector("h1:has-text('Help The García family')")
    phone.check("volunteer-requests")
    assert page.locator(family_pages).count() == 0
    reads_before = AddressRead.objects.count()

    for path, name in (("activity", "activity"), ("data", "data")):
        phone.goto(f"/#/circles/{circle.pk}/{path}")
        alert = page.get_by_role("alert")
        alert.wait_for()
        assert alert.inner_text() == "Only the circle's coordinators can do that."
        assert page.locator(family_pages).count() == 0
        assert page.get_by_role("button", name="Download all our data").count() == 0
        phone.check(f"volunteer-refused-{name}")
    phone.page.get_by_role("button", name="Cambiar a español").click()
    expect(page.get_by_role("alert")).to_have_text("Solo los coordinadores del círculo pueden hacer eso.")
    phone.check("volunteer-refused-es")

    # Refused by the API as well, and opening the pages showed Ana nothing private.
    for endpoint in ("audit/", "export/"):
        response = page.request.get(f"{phone.base_url}/api/v1/circles/{circle.pk}/{endpoint}")
        assert (response.status, response.json()["error"]["code"]) == (403, "coordinators_only")
    assert AddressRead.objects.count() == reads_before
