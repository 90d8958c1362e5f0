"""Everyday screens once someone has an account: language, inbox, cancelling, a waitlist offer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from notifications.models import Channel, Notification, Status
from scheduling.models import Signup
from scheduling.services import signup_cancel, signup_claim
from tests.e2e.conftest import Visit
from tests.e2e.test_family import log_in
from tests.factories import PASSWORD, PersonFactory, RosterMembershipFactory, ShiftFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_language_choice_is_saved_to_the_profile(phone: Visit) -> None:
    person = PersonFactory(language="en")
    log_in(phone, person.email, "/settings")
    page = phone.page
    page.wait_for_selector("h1:has-text('Settings')")
    phone.check("settings")
    # The profile is saved in the background; wait for that answer before reading the database.
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/me/") and r.request.method == "PATCH"
    ) as saved:
        page.get_by_role("button", name="Cambiar a español").click()
    assert saved.value.status == 200
    page.wait_for_selector("h1:has-text('Ajustes')")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.wait_for_selector("text=Sobre ti")
    phone.check("settings-es")
    person.refresh_from_db()
    assert person.language == "es"


def test_inbox_shows_a_delivered_message_and_marks_it_read(visit: Visit) -> None:
    person = PersonFactory()
    note = Notification.objects.create(
        recipient=person,
        kind="signup.confirmed",
        channel=Channel.IN_APP,
        key="e2e-1",
        status=Status.SENT,
        sent_at=timezone.now(),
        subject="You're signed up: Dinner",
        body="Thank you for bringing dinner on Wednesday.",
    )
    log_in(visit, person.email, "/inbox")
    page = visit.page
    page.wait_for_selector("h1:has-text('Inbox')")
    assert page.get_by_role("link", name="Inbox").inner_text().replace("\n", " ") == "Inbox 1 new"
    page.wait_for_selector("text=You're signed up: Dinner")
    visit.check("inbox")
    page.get_by_role("button", name="Mark as read").click()
    page.wait_for_selector("button:has-text('Mark as read')", state="detached")
    visit.check("inbox-read")
    note.refresh_from_db()
    assert note.read_at is not None
    assert page.get_by_role("link", name="Inbox").inner_text() == "Inbox"


def test_volunteer_cancels_honestly_and_takes_a_waitlist_offer(phone: Visit) -> None:
    volunteer = PersonFactory(name="Ana Ruiz")
    other = PersonFactory(name="Bea Smith")
    shift = ShiftFactory(title="Helpline", capacity=1, starts_at=timezone.now() + timedelta(days=5))
    soon = ShiftFactory(
        roster=shift.roster, title="Group visit", capacity=2, starts_at=timezone.now() + timedelta(days=6)
    )
    for person in (volunteer, other):
        RosterMembershipFactory(roster=shift.roster, person=person, role=Role.VOLUNTEER)
    held = signup_claim(shift=shift, person=other).signup
    signup_claim(shift=shift, person=volunteer, join_waitlist=True)
    signup_claim(shift=soon, person=volunteer)
    signup_cancel(signup=held, actor=other)  # frees the place: Ana is offered it

    log_in(phone, volunteer.email, "/commitments")
    page = phone.page
    page.wait_for_selector("h1:has-text('My commitments')")
    offered = page.locator("li.card", has_text="Helpline")
    offered.get_by_text("A place opened up for you").wait_for()
    phone.check("offer")
    offered.get_by_role("button", name="Yes, I'll take it").click()
    page.locator("li.card", has_text="Helpline").get_by_text("You're signed up").wait_for()
    assert Signup.objects.get(shift=shift, person=volunteer).status == "confirmed"

    visit_card = page.locator("li.card", has_text="Group visit")
    visit_card.get_by_role("button", name="I can't make it").click()
    visit_card.get_by_label("Reason (optional, shown to the coordinators)").fill("My baby is unwell")
    phone.check("cancel-confirm")
    visit_card.get_by_role("button", name="Yes, cancel").click()
    page.locator("li.card", has_text="Group visit").wait_for(state="detached")
    phone.check("cancelled")
    assert Signup.objects.get(shift=soon, person=volunteer).status == "cancelled"


def test_an_expired_session_sends_the_person_to_log_in_and_back(visit: Visit) -> None:
    from django.contrib.sessions.models import Session

    person = PersonFactory()
    log_in(visit, person.email, "/commitments")
    page = visit.page
    page.wait_for_selector("h1:has-text('My commitments')")
    visit.check("commitments")
    page.wait_for_load_state("networkidle")  # nothing in flight that could notice first
    Session.objects.all().delete()
    page.get_by_role("link", name="Settings").click()
    page.wait_for_selector("h1:has-text('Log in')")
    assert page.evaluate("() => location.hash") == "#/login?next=%2Fsettings"
    visit.check("login-after-expiry")
    page.get_by_label("E-mail").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("h1:has-text('Settings')")
    page.wait_for_selector("h2:has-text('Notifications')")
    visit.check("settings-after-login")


def test_notification_preferences_are_saved(phone: Visit) -> None:
    from notifications.selectors import preferences_get

    person = PersonFactory()
    log_in(phone, person.email, "/settings")
    page = phone.page
    page.wait_for_selector("h2:has-text('Notifications')")
    page.get_by_role("checkbox", name="E-mail").uncheck()
    page.get_by_role("checkbox", name="In the app").check()
    for label in ("2 days before", "1 day before", "3 hours before", "2 hours before", "1 hour before"):
        page.get_by_role("checkbox", name=label).set_checked(label == "1 hour before")
    page.get_by_role("checkbox", name="Send me a weekly summary").check()
    phone.check("preferences")
    with page.expect_response(
        lambda r: r.url.endswith("/me/notification-preferences/") and r.request.method == "PATCH"
    ) as saved:
        page.locator("form", has_text="How should we reach you?").get_by_role("button", name="Save").click()
    assert saved.value.status == 200
    preference = preferences_get(person=person)
    assert (preference.channels, preference.reminder_lead_minutes, preference.digest_weekly) == (
        ["in_app"],
        [60],
        True,
    )


def save_preferences(page) -> None:
    with page.expect_response(
        lambda r: r.url.endswith("/me/notification-preferences/") and r.request.method == "PATCH"
    ) as saved:
        page.locator("form", has_text="How should we reach you?").get_by_role("button", name="Save").click()
    assert saved.value.status == 200


def test_preferences_keep_the_default_two_hour_reminder_and_any_unknown_lead_time(phone: Visit) -> None:
    from notifications.selectors import preferences_get
    from notifications.services import preferences_update

    person = PersonFactory()
    log_in(phone, person.email, "/settings")
    page = phone.page
    page.wait_for_selector("h2:has-text('Notifications')")
    expect(page.get_by_role("checkbox", name="2 hours before")).to_be_checked()
    expect(page.get_by_role("checkbox", name="1 day before")).to_be_checked()
    page.get_by_role("checkbox", name="Send me a weekly summary").uncheck()
    save_preferences(page)
    assert preferences_get(person=person).reminder_lead_minutes == [1440, 120]

    # A lead time this screen does not offer (set through the API) is shown and kept.
    preferences_update(person=person, reminder_lead_minutes=[1440, 45])
    page.reload()
    expect(page.get_by_role("checkbox", name="45 minutes before")).to_be_checked()
    phone.check("preferences-unknown-lead")
    save_preferences(page)
    assert preferences_get(person=person).reminder_lead_minutes == [1440, 45]


def test_preferences_save_quiet_hours_and_a_kind_turned_off(phone: Visit) -> None:
    from notifications.selectors import preferences_get

    person = PersonFactory(time_zone="America/Chicago")
    log_in(phone, person.email, "/settings")
    page = phone.page
    page.wait_for_selector("h2:has-text('Notifications')")
    assert "America/Chicago" in page.locator("fieldset", has_text="Quiet hours").inner_text()
    # Half of the quiet hours is refused before anything is sent, and nothing typed is lost.
    page.get_by_label("From").fill("21:30")
    page.get_by_role("checkbox", name="Places still open close to their start").uncheck()
    page.locator("form", has_text="How should we reach you?").get_by_role("button", name="Save").click()
    page.get_by_text("Give both times for quiet hours, or leave both empty.").first.wait_for()
    assert page.get_by_label("From").input_value() == "21:30"
    phone.check("preferences-quiet-half")
    page.get_by_label("Until").fill("07:00")
    save_preferences(page)

    page.reload()
    page.wait_for_selector("h2:has-text('Notifications')")
    assert (page.get_by_label("From").input_value(), page.get_by_label("Until").input_value()) == (
        "21:30",
        "07:00",
    )
    expect(page.get_by_role("checkbox", name="Places still open close to their start")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="When a place is confirmed")).to_be_checked()
    phone.check("preferences-saved")
    preference = preferences_get(person=person)
    assert (
        str(preference.quiet_hours_start),
        str(preference.quiet_hours_end),
        preference.disabled_kinds,
    ) == (
        "21:30:00",
        "07:00:00",
        ["gap_alert"],
    )

    page.get_by_role("button", name="No quiet hours").click()
    save_preferences(page)
    preference = preferences_get(person=person)
    assert (preference.quiet_hours_start, preference.quiet_hours_end) == (None, None)
