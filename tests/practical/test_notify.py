from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import Notification
from scheduling.models import Signup
from tests.practical.help_factories import circle_with_people, make_request

pytestmark = pytest.mark.django_db


def test_thanking_a_volunteer_mails_them_the_familys_words_once_in_their_language(
    login, django_capture_on_commit_callbacks
):
    people = circle_with_people()
    people.volunteer.language = "es"
    people.volunteer.save()
    help_request = make_request(people)
    # Committed like a real request: the claim's own messages go out before the thanks.
    with django_capture_on_commit_callbacks(execute=True):
        login(people.volunteer).post(
            f"/api/v1/requests/{help_request.pk}/claim/", {"dish": "Sopa"}, format="json"
        )
    signup = Signup.objects.get()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = login(people.coordinator).post(
            f"/api/v1/signups/{signup.pk}/thanks/", {"message": "¡Gracias!"}
        )
        login(people.coordinator).post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": "Otra vez"})

    assert first.status_code == 201
    thanked = [m for m in mail.outbox if m.to == [people.volunteer.email]]
    assert len(thanked) == 1
    assert "te da las gracias" in thanked[0].subject
    assert "«¡Gracias!»" in thanked[0].body
    in_app = Notification.objects.filter(
        recipient=people.volunteer, kind="volunteer_thanked", channel="in_app"
    )
    assert in_app.count() == 1


def test_undelivered_thanks_and_pause_notices_show_in_the_circles_failed_list(
    login, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.scheduling.test_notify_failures.RefusingEveryAddress"
    settings.NOTIFICATION_INLINE_DELIVERY = True
    people = circle_with_people()
    help_request = make_request(people)
    with django_capture_on_commit_callbacks(execute=True):
        login(people.volunteer).post(
            f"/api/v1/requests/{help_request.pk}/claim/", {"dish": "Soup"}, format="json"
        )
    signup = Signup.objects.get()
    coordinator = login(people.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            coordinator.post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": "Thank you"}).status_code
            == 201
        )
        assert coordinator.post(f"/api/v1/circles/{people.circle.pk}/pause/").status_code == 200

    listed = coordinator.get(f"/api/v1/rosters/{people.circle.roster_id}/failed-notifications/").json()
    practical = sorted(
        (item["kind"], item["recipient_name"])
        for item in listed["results"]
        if item["kind"] in ("circle_paused", "volunteer_thanked")
    )
    assert practical == [("circle_paused", "Ana Smith"), ("volunteer_thanked", "Ana Smith")]
