"""GET rosters/{id}/failed-notifications/: what could not be delivered, for the roster's coordinators."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import Role
from notifications.models import Notification, Status
from scheduling.services import signup_claim
from tests.factories import (
    CircleFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PersonFactory,
    RosterFactory,
    RosterMembershipFactory,
    ShiftFactory,
)
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db

FIELDS = {"id", "kind", "channel", "recipient_name", "subject", "attempts", "last_error", "failed_at"}


class RefusingEveryAddress:
    """A mail server that refuses every recipient for good (550)."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"5.1.1 No such user")})


@pytest.fixture
def refusing_mail(settings):
    settings.EMAIL_BACKEND = "tests.scheduling.test_notify_failures.RefusingEveryAddress"
    settings.NOTIFICATION_INLINE_DELIVERY = True


def url(roster) -> str:
    return f"/api/v1/rosters/{roster.pk}/failed-notifications/"


def test_failed_notifications_lists_the_rosters_undelivered_mail_newest_first(
    login, roster, coordinator, volunteer, shift, refusing_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup_claim(shift=shift, person=volunteer)
    other_roster = RosterFactory()
    other = RosterMembershipFactory(roster=other_roster, role=Role.VOLUNTEER).person
    with django_capture_on_commit_callbacks(execute=True):
        signup_claim(shift=ShiftFactory(roster=other_roster), person=other)

    response = login(coordinator).get(url(roster))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    to_volunteer = Notification.objects.get(recipient=volunteer, kind="signup_confirmed", channel="email")
    to_coordinator = Notification.objects.get(recipient=coordinator, kind="signup_confirmed", channel="email")
    assert [item["id"] for item in body["results"]] == [to_coordinator.pk, to_volunteer.pk]
    item = body["results"][1]
    assert set(item) == FIELDS
    assert {k: v for k, v in item.items() if k != "failed_at"} == {
        "id": to_volunteer.pk,
        "kind": "signup_confirmed",
        "channel": "email",
        "recipient_name": "Vera",
        "subject": to_volunteer.subject,
        "attempts": 1,
        "last_error": "The mail server refused the address: 550 5.1.1 No such user",
    }
    assert item["subject"].startswith("You're confirmed: Evening line, ")
    assert parse_datetime(item["failed_at"]) == to_volunteer.failed_at
    # Who it was for, never where: no address of anyone.
    assert volunteer.email.encode() not in response.content
    assert coordinator.email.encode() not in response.content


def test_failed_notifications_only_for_the_rosters_coordinators(login, api, roster, coordinator, volunteer):
    NotificationFactory(status=Status.FAILED, context={"roster_id": roster.pk}, failed_at=timezone.now())
    organisation_coordinator = PersonFactory()
    roster.organisation = OrganisationFactory()
    roster.save()
    OrganisationMembershipFactory(
        organisation=roster.organisation, person=organisation_coordinator, role=Role.COORDINATOR
    )

    assert login(coordinator).get(url(roster)).json()["count"] == 1
    assert login(organisation_coordinator).get(url(roster)).json()["count"] == 1
    refused = login(volunteer).get(url(roster))
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    hidden = login(PersonFactory()).get(url(roster))
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "not_found")
    assert login(coordinator).get("/api/v1/rosters/999999/failed-notifications/").status_code == 404
    assert api.get(url(roster)).status_code == 403


def test_failed_notifications_of_a_circle_for_the_circles_coordinators(login):
    circle = CircleFactory()
    family = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    helper = RosterMembershipFactory(roster=circle.roster, role=Role.VOLUNTEER).person
    failed = NotificationFactory(
        status=Status.FAILED, context={"roster_id": circle.roster_id}, failed_at=timezone.now()
    )

    assert [i["id"] for i in login(family).get(url(circle.roster)).json()["results"]] == [failed.pk]
    assert login(helper).get(url(circle.roster)).status_code == 403


@pytest.mark.parametrize("n", [1, 50])
def test_queries_failed_notifications_list_constant(login, roster, coordinator, n, django_assert_num_queries):
    now = timezone.now()
    for i in range(n):
        NotificationFactory(
            status=Status.FAILED,
            channel="email",
            context={"roster_id": roster.pk},
            failed_at=now - timedelta(minutes=i),
        )
    client = login(coordinator)

    # roster with the role (the coordinator check reuses it), page (no count: it is not full)
    with django_assert_num_queries(2):
        response = client.get(url(roster))
    assert response.json()["count"] == n
    assert len(response.json()["results"]) == n


def test_failed_notifications_never_show_an_address_the_server_quoted(login, roster, coordinator):
    NotificationFactory(
        status=Status.FAILED,
        context={"roster_id": roster.pk},
        failed_at=timezone.now(),
        last_error="Gave up after 6 attempts: 452 4.2.2 <ana.b@example.org>: mailbox full (ana.b@example.org)",
    )

    [item] = login(coordinator).get(url(roster)).json()["results"]

    assert item["last_error"] == "Gave up after 6 attempts: 452 4.2.2 <<address>>: mailbox full (<address>)"
