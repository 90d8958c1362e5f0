"""Journey (c): a coordinator sees the gaps first, has Village propose a fair filling, accepts it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import MembershipStatus, Role
from scheduling.models import Signup
from scheduling.services import roster_create, shift_create
from tests.e2e.conftest import Visit
from tests.e2e.test_family import log_in
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def helpline_roster_with_gaps():
    organisation = OrganisationFactory(name="Postpartum Peer Support", time_zone="America/New_York")
    coordinator = PersonFactory(name="Carmen Ortiz")
    OrganisationMembershipFactory(organisation=organisation, person=coordinator, role=Role.COORDINATOR)
    volunteers = [PersonFactory(name=name) for name in ("Ana Ruiz", "Bea Smith", "Cleo Park")]
    for person in volunteers:
        OrganisationMembershipFactory(organisation=organisation, person=person, role=Role.VOLUNTEER)
    waiting = PersonFactory(name="Dana Lee")
    OrganisationMembershipFactory(
        organisation=organisation, person=waiting, role=Role.VOLUNTEER, status=MembershipStatus.PENDING
    )
    roster = roster_create(
        organisation=organisation,
        name="Helpline evenings",
        created_by=coordinator,
        time_zone="America/New_York",
    )
    zone = ZoneInfo("America/New_York")
    day = (timezone.now().astimezone(zone) + timedelta(days=2)).date()
    shifts = []
    for offset in range(3):
        start = timezone.datetime(day.year, day.month, day.day, 18, 0, tzinfo=zone) + timedelta(days=offset)
        shifts.append(
            shift_create(roster=roster, title="Helpline", starts_at=start, ends_at=start + timedelta(hours=2))
        )
    return organisation, coordinator, roster, shifts, waiting


def test_coordinator_sees_gaps_runs_autofill_and_accepts(visit: Visit) -> None:
    organisation, coordinator, roster, shifts, waiting = helpline_roster_with_gaps()
    log_in(visit, coordinator.email, f"/rosters/{roster.pk}")
    page = visit.page
    page.wait_for_selector("h1:has-text('Helpline evenings')")
    visit.check("roster")
    page.get_by_role("link", name="Coordinator dashboard").click()

    page.wait_for_selector("h1:has-text('Helpline evenings: dashboard')")
    page.wait_for_selector("h2:has-text('3 shifts still need people')")
    # Gaps come before everything else on the page.
    headings = page.locator("main h2").all_inner_texts()
    assert headings[0] == "3 shifts still need people"
    assert page.locator("svg[role='img'] title").first.text_content() == "Coverage by day"
    assert "0 of 3 places filled" in page.locator("main").inner_text()
    visit.check("dashboard")

    page.get_by_role("button", name="Propose a filling").click()
    accept = page.get_by_role("button", name="Accept and sign up 3 people")
    accept.wait_for()
    visit.check("proposal")
    assert Signup.objects.count() == 0
    accept.click()
    page.wait_for_selector("text=No gaps in this period.")
    visit.check("dashboard-filled")

    held = sorted(Signup.objects.filter(status="confirmed").values_list("shift_id", flat=True))
    assert held == sorted(s.pk for s in shifts)
    assert set(Signup.objects.values_list("person__name", flat=True)) <= {
        "Ana Ruiz",
        "Bea Smith",
        "Cleo Park",
    }

    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "date,start,end,shift,capacity,filled,open,requirements"
    assert [line.split(",")[1:7] for line in lines[1:]] == [["18:00", "20:00", "Helpline", "1", "1", "0"]] * 3

    page.get_by_role("button", name="Approve Dana Lee").click()
    page.wait_for_selector("text=Nobody is waiting for approval.")
    visit.check("approved")
    waiting.refresh_from_db()
    assert organisation.memberships.get(person=waiting).status == MembershipStatus.ACTIVE


def test_coordinator_grants_a_qualification(visit: Visit) -> None:
    from rosters.services.people import qualification_create
    from scheduling.models import PersonQualification

    organisation, coordinator, roster, _shifts, _waiting = helpline_roster_with_gaps()
    qualification_create(organisation=organisation, actor=coordinator, code="spanish", name="Spanish speaker")
    log_in(visit, coordinator.email, f"/rosters/{roster.pk}/dashboard")
    page = visit.page
    page.wait_for_selector("h3:has-text('Spanish speaker')")
    page.get_by_label("Grant to").select_option(label="Bea Smith")
    page.get_by_role("button", name="Grant Spanish speaker").click()
    page.wait_for_selector("text=Held by: Bea Smith")
    visit.check("qualification-granted")
    assert list(PersonQualification.objects.values_list("person__name", "qualification__code")) == [
        ("Bea Smith", "spanish")
    ]
