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
