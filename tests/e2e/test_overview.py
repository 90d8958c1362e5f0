"""A coordinator's home: the gaps of every circle and roster they run, on one page, soonest first."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Role
from practical.help.services import help_request_create
from practical.models import Circle
from practical.services import circle_create
from scheduling.services import roster_create, shift_create
from tests.e2e.conftest import Visit
from tests.e2e.test_family import log_in
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def organisation_running_a_roster_and_a_family_circle():
    """Like the demo: the organisation's coordinator runs its helpline and looks after a family."""
    organisation = OrganisationFactory(name="Postpartum Peer Support", time_zone="America/New_York")
    rosa = PersonFactory(name="Rosa Alvarez")
    OrganisationMembershipFactory(organisation=organisation, person=rosa, role=Role.COORDINATOR)
    roster = roster_create(organisation=organisation, name="Helpline evenings", created_by=rosa)
    zone = ZoneInfo("America/New_York")
    day = (timezone.now().astimezone(zone) + timedelta(days=3)).date()
    helpline_start = timezone.datetime(day.year, day.month, day.day, 18, 0, tzinfo=zone)
    shift_create(
        roster=roster, title="Helpline", starts_at=helpline_start, ends_at=helpline_start + timedelta(hours=2)
    )

    maria = PersonFactory(name="María Garcia")
    circle = circle_create(created_by=maria, name="The Garcia family", time_zone="America/New_York")
    Circle.objects.filter(pk=circle.pk).update(organisation=organisation)
    circle.roster.organisation = organisation
    circle.roster.save(update_fields=["organisation"])
    dinner_start = helpline_start - timedelta(days=1, hours=0, minutes=30)
    help_request_create(
        circle=circle,
        actor=maria,
        kind="meal",
        title="Dinner for four",
        details={"servings": 4},
        starts_at=dinner_start,
        ends_at=dinner_start + timedelta(hours=1),
    )
    return rosa, circle, roster


def test_coordinator_home_shows_gaps_from_a_circle_and_a_roster_on_one_page(visit: Visit) -> None:
    rosa, circle, roster = organisation_running_a_roster_and_a_family_circle()
    log_in(visit, rosa.email, "/")
    page = visit.page

    page.wait_for_selector("h1:has-text('Your dashboard')")
    page.wait_for_selector("h2:has-text('2 shifts still need people in the next 7 days')")
    # Gaps first, soonest first, each saying where it comes from.
    assert page.locator("main h2").all_inner_texts()[0] == "2 shifts still need people in the next 7 days"
    gaps = page.locator("main section").first.locator("li.card")
    assert [gaps.nth(i).locator("h3").inner_text() for i in range(gaps.count())] == [
        "Dinner for four",
        "Helpline",
    ]
    assert "Circle The Garcia family" in gaps.nth(0).inner_text()
    assert "Roster Helpline evenings" in gaps.nth(1).inner_text()
    circles = page.locator("section", has=page.get_by_role("heading", name="Circles you coordinate"))
    assert (
        circles.get_by_role("link", name="The Garcia family").get_attribute("href")
        == f"#/circles/{circle.pk}"
    )
    rosters = page.locator("section", has=page.get_by_role("heading", name="Rosters you coordinate"))
    assert rosters.get_by_role("link", name="Helpline evenings").get_attribute("href") == (
        f"#/rosters/{roster.pk}/dashboard"
    )
    assert "1 shift open" in rosters.inner_text()
    visit.check("overview")

    page.get_by_role("link", name="Dinner for four").click()
    page.wait_for_selector("h1:text-is('The Garcia family')")
    visit.check("overview-circle")
    page.go_back()
    page.get_by_role("link", name="Helpline", exact=True).click()
    page.wait_for_selector("h1:has-text('Helpline evenings: dashboard')")
    page.wait_for_selector("h2:has-text('1 shift still needs people')")


def test_coordinator_home_says_so_when_every_place_is_filled(phone: Visit) -> None:
    organisation = OrganisationFactory()
    rosa = PersonFactory(name="Rosa Alvarez")
    OrganisationMembershipFactory(organisation=organisation, person=rosa, role=Role.COORDINATOR)
    roster_create(organisation=organisation, name="Helpline evenings", created_by=rosa)
    log_in(phone, rosa.email, "/")
    page = phone.page
    page.wait_for_selector("text=No gaps in the next 7 days. Every place is filled.")
    page.get_by_role("link", name="Next 14 days").click()
    page.wait_for_selector("text=No gaps in the next 14 days. Every place is filled.")
    phone.check("overview-no-gaps")
