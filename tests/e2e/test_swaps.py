"""A volunteer who can't make it offers their place; another takes it; the place never stands empty."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from scheduling.models import Signup, SwapOffer
from scheduling.services import roster_create, shift_create, signup_claim
from tests.e2e.conftest import Visit
from tests.e2e.test_family import log_in
from tests.factories import OrganisationFactory, OrganisationMembershipFactory, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def helpline_shift_held_by_ana():
    organisation = OrganisationFactory(name="Postpartum Peer Support")
    coordinator = PersonFactory(name="Carmen Ortiz")
    OrganisationMembershipFactory(organisation=organisation, person=coordinator, role=Role.COORDINATOR)
    ana = PersonFactory(name="Ana Ruiz")
    bea = PersonFactory(name="Bea Smith", language="es")
    for person in (ana, bea):
        OrganisationMembershipFactory(organisation=organisation, person=person, role=Role.VOLUNTEER)
    roster = roster_create(organisation=organisation, name="Helpline evenings", created_by=coordinator)
    starts = (timezone.now() + timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    shift = shift_create(
        roster=roster, title="Helpline", starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    signup = signup_claim(shift=shift, person=ana).signup
    return shift, ana, bea, signup


def test_volunteer_offers_a_swap_withdraws_it_and_another_volunteer_takes_it(
    phone: Visit, visit: Visit
) -> None:
    shift, ana, bea, held = helpline_shift_held_by_ana()

    log_in(phone, ana.email, "/commitments")
    page = phone.page
    card = page.locator("li.card", has_text="Helpline")
    card.get_by_text("You're signed up").wait_for()
    card.get_by_role("button", name="Offer my place to someone").click()
    card.get_by_text("Offered for a swap").wait_for()
    phone.check("swap-offered")
    assert list(SwapOffer.objects.values_list("signup_id", "status")) == [(held.pk, "open")]

    # Changing one's mind keeps the place: the offer goes, the commitment stays.
    card.get_by_role("button", name="Take back my offer").click()
    card.get_by_role("button", name="Offer my place to someone").wait_for()
    assert list(SwapOffer.objects.values_list("status", flat=True)) == ["withdrawn"]
    card.get_by_role("button", name="Offer my place to someone").click()
    card.get_by_text("Offered for a swap").wait_for()

    # Bea reads Spanish: she finds the offer above what is open, and takes it.
    visit.context.add_init_script("localStorage.setItem('village.lang', 'es')")
    log_in_es(visit, bea.email, "/requests")
    other = visit.page
    other.wait_for_selector("h2:has-text('1 lugar ofrecido por alguien que no puede ir')")
    offer = other.locator("li.card", has_text="Lo ofrece Ana Ruiz")
    assert "Helpline evenings" in offer.inner_text()
    visit.check("swap-board-es")
    offer.get_by_role("button", name="Tomar este lugar").click()
    other.wait_for_selector("h2:has-text('lugar ofrecido')", state="detached")
    other.get_by_role("link", name="Mis compromisos").click()
    other.locator("li.card", has_text="Helpline").get_by_text("Estás apuntado/a").wait_for()
    visit.check("swap-taken-es")

    assert sorted(Signup.objects.filter(shift=shift).values_list("person__name", "status")) == [
        ("Ana Ruiz", "cancelled"),
        ("Bea Smith", "confirmed"),
    ]
    shift.refresh_from_db()
    assert shift.filled == 1

    page.reload()
    page.wait_for_selector("h1:has-text('My commitments')")
    page.get_by_text("You haven't signed up for anything yet.").wait_for()
    assert page.locator("li.card", has_text="Helpline").count() == 0
    phone.check("swap-gone")


def log_in_es(visit: Visit, email: str, next_path: str) -> None:
    from tests.factories import PASSWORD

    page = visit.goto(f"/#/login?next={next_path}")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
