"""What each schedule event tells whom: the outbox rows scheduling.notify and scheduling.jobs write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Role
from notifications.kinds import registered_kinds
from notifications.models import Notification
from notifications.services import notifications_sweep, preferences_update
from practical.models import Circle
from scheduling import notify
from scheduling.jobs import gap_alerts_send, weekly_digests_send
from scheduling.models import Signup, SwapOffer
from scheduling.services import (
    shift_cancel,
    shift_update,
    signup_accept_offer,
    signup_assign,
    signup_cancel,
    signup_claim,
    swap_accept,
    swap_offer,
    waitlist_offers_expire,
)
from tests.factories import (
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterFactory,
    RosterMembershipFactory,
    ShiftFactory,
)
from tests.practical.help_factories import circle_with_people, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _delivery(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_INLINE_DELIVERY = True
    settings.SITE_URL = "https://village.example.org"


def told(kind: str) -> list[int]:
    """Recipients of ``kind`` (one in-app row per person per message), sorted."""
    return sorted(
        Notification.objects.filter(kind=kind, channel="in_app").values_list("recipient_id", flat=True)
    )


def ids(*people) -> list[int]:
    return sorted(p.pk for p in people)


# --- Done when: a claimed meal lands in the inbox and the mail, with the feed's UID ------------


def test_claiming_a_meal_puts_a_confirmation_in_the_inbox_and_mails_the_feeds_event(
    api, login, django_capture_on_commit_callbacks
):
    people = circle_with_people()
    help_request = make_request(people, title="Dinner")
    client = login(people.volunteer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/requests/{help_request.pk}/claim/", {"dish": "Soup"}, format="json")

    assert response.status_code == 201
    signup = Signup.objects.get(person=people.volunteer)
    inbox = client.get("/api/v1/notifications/").json()["results"]
    confirmations = [item for item in inbox if item["kind"] == "signup_confirmed"]
    assert len(confirmations) == 1
    assert confirmations[0]["subject"].startswith("You're confirmed: Dinner, ")
    assert "https://village.example.org/#/commitments" in confirmations[0]["body"]
    assert people.circle.address not in confirmations[0]["body"]
    # The family hears who is coming; the organisation's coordinator is not the family.
    assert told("signup_confirmed") == ids(people.volunteer, people.coordinator)

    [message] = [m for m in mail.outbox if m.to == [people.volunteer.email]]
    [(filename, content, content_type)] = message.attachments
    assert filename == f"village-{signup.pk}.ics"
    assert content_type == "text/calendar; method=PUBLISH"
    assert 'Content-Type: text/calendar; method="PUBLISH"; charset="utf-8"' in message.message().as_string()
    mailed_uids = [str(e["UID"]) for e in Calendar.from_ical(content).walk("VEVENT")]
    # A mail is forwarded and kept: the family's address stays in the app, behind their rule.
    assert people.circle.address not in content
    assert "#/commitments/" + str(signup.pk) in message.body

    feed_url = client.get("/api/v1/me/feeds/").json()["urls"]["url"]
    secret = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = api.get(f"/calendars/{secret}.ics")
    feed_uids = [str(e["UID"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")]
    assert mailed_uids == feed_uids == [f"signup-{signup.pk}@village"]


# --- Each event's recipients -------------------------------------------------------------------


@pytest.fixture
def duty(db):
    """A duty roster of an organisation: a roster coordinator, an organisation coordinator."""
    organisation = OrganisationFactory()
    roster = RosterFactory(name="Helpline", organisation=organisation, time_zone="America/New_York")
    coordinator = RosterMembershipFactory(roster=roster, role=Role.COORDINATOR).person
    org_coordinator = OrganisationMembershipFactory(organisation=organisation, role=Role.COORDINATOR).person
    starts = (timezone.now() + timedelta(days=5)).replace(microsecond=0)
    shift = ShiftFactory(roster=roster, title="Evening line", starts_at=starts, capacity=1)
    return roster, shift, coordinator, org_coordinator


def volunteer(roster, **kwargs):
    person = PersonFactory(**kwargs)
    RosterMembershipFactory(roster=roster, person=person, role=Role.VOLUNTEER)
    return person


def test_assign_tells_the_volunteer_and_other_coordinators_not_the_one_who_assigned(duty):
    roster, shift, coordinator, org_coordinator = duty
    vera = volunteer(roster)

    signup_assign(shift=shift, person=vera, actor=coordinator)

    assert told("signup_confirmed") == ids(vera, org_coordinator)
    row = Notification.objects.get(kind="signup_confirmed", recipient=vera, channel="in_app")
    assert row.body.startswith(f"Hi {vera.name},\n\n{coordinator.name} has put you down for Evening line")


def test_cancel_tells_the_coordinators_and_cancels_the_reminders(duty):
    roster, shift, coordinator, org_coordinator = duty
    vera = volunteer(roster)
    signup = signup_claim(shift=shift, person=vera).signup
    assert (
        Notification.objects.filter(kind="reminder", status="pending").count() == 4
    )  # 24 h + 2 h, 2 channels

    signup_cancel(signup=signup, actor=vera)

    assert told("signup_cancelled") == ids(coordinator, org_coordinator)
    assert Notification.objects.filter(kind="reminder", status="pending").count() == 0


def test_coordinator_taking_someone_off_tells_them_and_the_other_coordinator(duty):
    roster, shift, coordinator, org_coordinator = duty
    vera = volunteer(roster)
    signup = signup_claim(shift=shift, person=vera).signup

    signup_cancel(signup=signup, actor=coordinator, reason="Double booked")

    assert told("signup_cancelled") == ids(vera, org_coordinator)
    row = Notification.objects.get(kind="signup_cancelled", recipient=vera, channel="in_app")
    assert "Reason: Double booked" in row.body


def test_late_cancel_request_goes_to_coordinators(duty):
    roster, shift, coordinator, org_coordinator = duty
    roster.cancel_cutoff = timedelta(days=30)
    roster.save()
    vera = volunteer(roster)
    signup = signup_claim(shift=shift, person=vera).signup

    signup_cancel(signup=signup, actor=vera, reason="Sick")

    assert told("signup_cancel_requested") == ids(coordinator, org_coordinator)


def test_waitlist_offer_and_expiry_go_to_the_waitlisted_person_once_each(duty):
    roster, shift, _, _ = duty
    vera, will = volunteer(roster), volunteer(roster)
    held = signup_claim(shift=shift, person=vera).signup
    waiting = signup_claim(shift=shift, person=will, join_waitlist=True).signup

    signup_cancel(signup=held, actor=vera)
    assert told("waitlist_offered") == ids(will)

    waiting.refresh_from_db()
    waitlist_offers_expire(now=waiting.offer_expires_at + timedelta(seconds=1))
    waitlist_offers_expire(now=waiting.offer_expires_at + timedelta(seconds=2))
    assert told("waitlist_offer_expired") == ids(will)


def test_accepting_an_offer_confirms_and_schedules_reminders(duty):
    roster, shift, _, _ = duty
    vera, will = volunteer(roster), volunteer(roster)
    held = signup_claim(shift=shift, person=vera).signup
    waiting = signup_claim(shift=shift, person=will, join_waitlist=True).signup
    signup_cancel(signup=held, actor=vera)
    waiting.refresh_from_db()

    signup_accept_offer(signup=waiting, actor=will)

    assert Notification.objects.filter(kind="signup_confirmed", recipient=will, channel="in_app").count() == 1
    keys = sorted(
        Notification.objects.filter(kind="reminder", recipient=will, channel="email").values_list(
            "key", flat=True
        )
    )
    assert keys == [f"reminder:signup:{waiting.pk}:120:0", f"reminder:signup:{waiting.pk}:1440:0"]


def test_swap_offer_goes_to_coordinators_and_capped_eligible_members(duty, monkeypatch):
    roster, shift, coordinator, org_coordinator = duty
    monkeypatch.setattr("scheduling.notify.events.SWAP_OFFER_MAX_MEMBERS", 2)
    vera = volunteer(roster)
    first, second, _third = volunteer(roster), volunteer(roster), volunteer(roster)
    signup = signup_claim(shift=shift, person=vera).signup

    swap_offer(signup=signup, actor=vera)

    assert told("swap_offered") == ids(coordinator, org_coordinator, first, second)


def test_swap_taken_tells_both_people_and_the_coordinators_once(duty):
    roster, shift, coordinator, org_coordinator = duty
    vera, will = volunteer(roster), volunteer(roster)
    signup = signup_claim(shift=shift, person=vera).signup
    swap = swap_offer(signup=signup, actor=vera)

    taken = swap_accept(swap=SwapOffer.objects.get(pk=swap.pk), person=will).signup

    assert told("swap_taken") == ids(vera, coordinator, org_coordinator)
    assert told("signup_cancelled") == []  # the swap message says it; nobody hears it twice
    assert Notification.objects.filter(kind="signup_confirmed", channel="in_app", recipient=will).count() == 1
    pending = Notification.objects.filter(kind="reminder", status="pending", channel="email")
    assert sorted(pending.values_list("key", flat=True)) == [
        f"reminder:signup:{taken.pk}:120:0",
        f"reminder:signup:{taken.pk}:1440:0",
    ]


def test_time_change_tells_holders_and_coordinators_and_moves_reminders_and_again_on_next_change(duty):
    roster, shift, coordinator, org_coordinator = duty
    shift.capacity = 2
    shift.save()
    vera, will = volunteer(roster), volunteer(roster)
    signup = signup_claim(shift=shift, person=vera).signup
    signup_claim(shift=shift, person=will)

    shift_update(shift=shift, actor=coordinator, notes="Bring a charger")
    assert told("shift_changed") == []  # details are not news

    later = shift.starts_at + timedelta(hours=1)
    shift_update(shift=shift, actor=coordinator, starts_at=later, ends_at=later + timedelta(hours=2))
    assert told("shift_changed") == ids(vera, will, coordinator, org_coordinator)
    reminders = Notification.objects.filter(key__startswith=f"reminder:signup:{signup.pk}:", channel="email")
    assert sorted(reminders.values_list("key", "status")) == [
        (f"reminder:signup:{signup.pk}:120:0", "cancelled"),
        (f"reminder:signup:{signup.pk}:120:1", "pending"),
        (f"reminder:signup:{signup.pk}:1440:0", "cancelled"),
        (f"reminder:signup:{signup.pk}:1440:1", "pending"),
    ]
    assert reminders.get(key=f"reminder:signup:{signup.pk}:1440:1").send_at == later - timedelta(days=1)

    shift.refresh_from_db()
    notify.shift_changed(shift=shift, changed=["starts_at"])  # a retry of the same change
    assert len(told("shift_changed")) == 4

    shift_update(shift=shift, actor=coordinator, location="Room 2")  # a later change is news again
    assert len(told("shift_changed")) == 8


def test_shift_cancelled_tells_holders_and_waitlist_and_cancels_reminders(duty):
    roster, shift, coordinator, _ = duty
    vera, will = volunteer(roster), volunteer(roster)
    signup_claim(shift=shift, person=vera)
    signup_claim(shift=shift, person=will, join_waitlist=True)

    shift_cancel(shift=shift, actor=coordinator)

    assert told("shift_cancelled") == ids(vera, will)
    assert Notification.objects.filter(kind="reminder", status="pending").count() == 0


# --- Reminders -----------------------------------------------------------------------------------


def test_reminder_a_day_ahead_across_dst_keeps_the_local_time(db):
    roster = RosterFactory(time_zone="America/New_York")
    person = volunteer(roster, time_zone="America/New_York")
    preferences_update(person=person, reminder_lead_minutes=[1440])
    starts = datetime(2026, 3, 9, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    shift = ShiftFactory(roster=roster, starts_at=starts, ends_at=starts + timedelta(hours=2))
    signup = Signup.objects.create(shift=shift, person=person)

    notify.reminders_schedule(signup=signup, now=datetime(2026, 3, 1, tzinfo=UTC))

    row = Notification.objects.get(kind="reminder", channel="email")
    assert row.send_at == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)
    assert row.send_at.astimezone(ZoneInfo("America/New_York")).hour == 9
    assert row.key == f"reminder:signup:{signup.pk}:1440:0"


def test_a_cancelled_commitments_reminder_is_never_sent(duty):
    roster, shift, _, _ = duty
    vera, will = volunteer(roster), volunteer(roster)
    shift.capacity = 2
    shift.save()
    cancelled = signup_claim(shift=shift, person=vera).signup
    signup_claim(shift=shift, person=will)
    signup_cancel(signup=cancelled, actor=vera)
    mail.outbox.clear()

    # Time passes: every reminder is due now.
    Notification.objects.filter(kind="reminder").update(send_at=timezone.now() - timedelta(minutes=1))
    notifications_sweep(now=timezone.now())

    reminded = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Reminder:"))
    assert reminded == [will.email, will.email]


# --- Gap alerts and the digest -------------------------------------------------------------------


def test_gap_alert_goes_once_per_threshold_to_coordinators_and_free_volunteers(duty):
    roster, shift, coordinator, org_coordinator = duty
    now = shift.starts_at - timedelta(hours=30)
    free = volunteer(roster)
    busy = volunteer(roster)
    opted_out = volunteer(roster)
    preferences_update(person=opted_out, kinds={"gap_alert": False})
    elsewhere = RosterFactory()
    ShiftFactory(roster=elsewhere, starts_at=shift.starts_at, capacity=1).signups.create(person=busy)

    gap_alerts_send(now)
    gap_alerts_send(now + timedelta(minutes=5))
    assert told("gap_alert") == ids(coordinator, org_coordinator, free)

    gap_alerts_send(shift.starts_at - timedelta(hours=20))  # the 24 h threshold is new
    assert told("gap_alert") == sorted(ids(coordinator, org_coordinator, free) * 2)
    keys = Notification.objects.filter(kind="gap_alert", recipient=free, channel="email")
    assert sorted(keys.values_list("key", flat=True)) == [
        f"gap:{shift.pk}:24:{free.pk}",
        f"gap:{shift.pk}:48:{free.pk}",
    ]


def test_gap_alert_caps_volunteers_and_asks_those_who_helped_least_first(duty, monkeypatch):
    roster, shift, _, _ = duty
    monkeypatch.setattr("scheduling.jobs.GAP_ALERT_MAX_VOLUNTEERS", 1)
    helped = volunteer(roster)
    rested = volunteer(roster)
    past = ShiftFactory(roster=roster, starts_at=timezone.now() - timedelta(days=3))
    past.signups.create(person=helped, status=Signup.Status.COMPLETED)

    gap_alerts_send(shift.starts_at - timedelta(hours=10))

    recipients = Notification.objects.filter(
        kind="gap_alert", channel="in_app", context__for_coordinator=False
    )
    assert list(recipients.values_list("recipient_id", flat=True)) == [rested.pk]


def test_gap_alert_asks_no_volunteer_of_a_paused_circle(db):
    people = circle_with_people()
    help_request = make_request(people)
    Circle.objects.filter(pk=people.circle.pk).update(status="paused")

    gap_alerts_send(help_request.shift.starts_at - timedelta(hours=10))

    assert told("gap_alert") == ids(people.coordinator)


def test_weekly_digest_goes_once_a_week_with_fill_rate(duty):
    roster, shift, coordinator, org_coordinator = duty
    signup_claim(shift=shift, person=volunteer(roster))
    ShiftFactory(
        roster=roster, title="Morning line", starts_at=shift.starts_at + timedelta(hours=1), capacity=3
    )
    preferences_update(person=org_coordinator, digest_weekly=False)
    now = shift.starts_at - timedelta(days=2)

    weekly_digests_send(now)
    weekly_digests_send(now + timedelta(hours=1))
    assert told("weekly_digest") == ids(coordinator)
    body = Notification.objects.get(kind="weekly_digest", channel="in_app").body
    assert "Helpline — 2 shifts, 1 of 4 places filled (25%)" in body
    assert "  - Morning line, " in body

    ShiftFactory(roster=roster, starts_at=now + timedelta(days=8))
    weekly_digests_send(now + timedelta(days=7))  # the next ISO week
    assert told("weekly_digest") == ids(coordinator, coordinator)


# --- Language, kinds -----------------------------------------------------------------------------


def test_a_spanish_reader_gets_spanish_with_local_times(duty):
    roster, shift, _, _ = duty
    starts = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 18:30 in New York
    shift.starts_at, shift.ends_at = starts, starts + timedelta(hours=2)
    shift.save()
    ana = volunteer(roster, language="es")

    notify.signup_confirmed(signup=Signup.objects.create(shift=shift, person=ana), actor=ana)

    row = Notification.objects.get(kind="signup_confirmed", recipient=ana, channel="in_app")
    assert row.subject == "Confirmado: Evening line, martes 1 diciembre, 18:30"
    assert (
        "Tienes un lugar en Evening line (Helpline):\nmartes 1 diciembre, 18:30–20:30 (America/New_York)"
        in row.body
    )


def test_every_kind_is_registered_in_both_languages():
    kinds = registered_kinds()
    assert {name: bool(kinds[name].label and kinds[name].label_es) for name in notify.KINDS} == dict.fromkeys(
        notify.KINDS, True
    )


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("kind", sorted(notify.KINDS))
def test_every_template_renders_in_both_languages(kind, language):
    from notifications.rendering import render_notification

    reader = PersonFactory(language=language, name="Ana")
    context = {
        "title": "Evening line",
        "roster_name": "Helpline",
        "roster_id": 3,
        "signup_id": 7,
        "starts_at_local": "Monday 9 March, 09:00",
        "ends_at_local": "11:00",
        "time_zone": "America/New_York",
        "volunteer_name": "Vera",
        "offered_by": "Vera",
        "taken_by": "Will",
        "open_places": 2,
        "open_total": 2,
        "time_changed": True,
        "rosters": [
            {
                "id": 3,
                "name": "Helpline",
                "shifts": 2,
                "capacity": 4,
                "filled": 2,
                "fill_rate": 50,
                "open": [{"title": "Evening line", "starts_at_local": "Monday", "open": 2}],
                "more": 0,
            }
        ],
    }
    row = Notification(recipient=reader, kind=kind, template=f"scheduling/{kind}", context=context)

    rendered = render_notification(row)

    assert rendered.language == language
    assert rendered.subject and "{" not in rendered.subject and "{" not in rendered.text
    assert rendered.text.startswith("Hola Ana:" if language == "es" else "Hi Ana,")
