from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications import kinds, services
from notifications.channels import unsubscribe_token
from notifications.models import Notification, NotificationPreference, Status
from tests.factories import PersonFactory
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def test_inbox_lists_my_visible_in_app_notifications_newest_first(person, login):
    now = timezone.now()
    old = NotificationFactory(recipient=person, sent_at=now - timedelta(hours=2), subject="old")
    new = NotificationFactory(recipient=person, sent_at=now - timedelta(hours=1), subject="new")
    NotificationFactory(recipient=person, channel="email")  # not an inbox item
    NotificationFactory(recipient=person, status=Status.PENDING, sent_at=None)  # not due yet
    NotificationFactory()  # someone else's

    response = login(person).get("/api/v1/notifications/")

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [item["id"] for item in response.json()["results"]] == [new.pk, old.pk]
    assert response.json()["results"][0] == {
        "id": new.pk,
        "kind": "greeting",
        "subject": "new",
        "body": "Hi",
        "context": {"name": "Ana", "when": "9:00"},
        "sent_at": new.sent_at.isoformat().replace("+00:00", "Z"),
        "read_at": None,
        "created_at": new.created_at.isoformat().replace("+00:00", "Z"),
    }


def test_inbox_filters_unread(person, login):
    unread = NotificationFactory(recipient=person)
    NotificationFactory(recipient=person, read_at=timezone.now())
    client = login(person)
    assert [i["id"] for i in client.get("/api/v1/notifications/?unread=true").json()["results"]] == [
        unread.pk
    ]
    assert client.get("/api/v1/notifications/?unread=false").json()["count"] == 1
    assert client.get("/api/v1/notifications/?colour=red").status_code == 400


@pytest.mark.parametrize("items", [1, 50])
def test_inbox_query_count_is_constant(person, login, django_assert_num_queries, items):
    NotificationFactory.create_batch(items, recipient=person)
    client = login(person)
    # count + page (force_authenticate needs no session or token query)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/notifications/")
    assert len(response.json()["results"]) == items


def test_inbox_needs_login(api):
    response = api.get("/api/v1/notifications/")
    # SessionAuthentication comes first, so DRF answers 403 rather than 401.
    assert (response.status_code, response.json()["error"]["code"]) == (403, "not_authenticated")


def test_unread_count_and_mark_read(person, login):
    first, _ = NotificationFactory.create_batch(2, recipient=person)
    client = login(person)
    assert client.get("/api/v1/notifications/unread-count/").json() == {"count": 2}

    response = client.post(f"/api/v1/notifications/{first.pk}/read/")
    assert response.status_code == 200
    read_at = response.json()["read_at"]
    assert read_at is not None
    # Reading again keeps the first time.
    assert client.post(f"/api/v1/notifications/{first.pk}/read/").json()["read_at"] == read_at
    assert client.get("/api/v1/notifications/unread-count/").json() == {"count": 1}

    assert client.post("/api/v1/notifications/read-all/").json() == {"updated": 1}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"count": 0}


def test_mark_read_of_someone_elses_notification_is_not_found(person, login):
    theirs = NotificationFactory()
    mine_by_email = NotificationFactory(recipient=person, channel="email")
    client = login(person)
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{mine_by_email.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_defaults(person, login, monkeypatch):
    monkeypatch.setattr(kinds, "_kinds", {})
    response = login(person).get("/api/v1/me/notification-preferences/")
    assert response.status_code == 200
    assert response.json() == {
        "kinds": [],
        "channels": ["email", "in_app"],
        "reminder_lead_minutes": [1440, 120],
        "quiet_hours_start": None,
        "quiet_hours_end": None,
        "digest_weekly": True,
        "sms_number": "",
        "language": "en",
    }


def test_preferences_patch(person, login, monkeypatch):
    monkeypatch.setattr(kinds, "_kinds", {})
    kinds.register_notification_kind("digest", label="Weekly digest", label_es="Resumen semanal")
    client = login(person)
    response = client.patch(
        "/api/v1/me/notification-preferences/",
        {
            "kinds": {"signup_confirmed": False, "digest": True},
            "channels": ["in_app"],
            "reminder_lead_minutes": [60, 2880, 60],
            "quiet_hours_start": "22:00",
            "quiet_hours_end": "07:00",
            "digest_weekly": False,
        },
    )
    assert response.status_code == 200
    assert response.json() == {
        "kinds": [
            {"kind": "digest", "label": "Weekly digest", "on": True},
            {"kind": "signup_confirmed", "label": "signup_confirmed", "on": False},
        ],
        "channels": ["in_app"],
        "reminder_lead_minutes": [2880, 60],
        "quiet_hours_start": "22:00:00",
        "quiet_hours_end": "07:00:00",
        "digest_weekly": False,
        "sms_number": "",
        "language": "en",
    }
    # Turning a kind back on merges, it does not replace the rest.
    response = client.patch("/api/v1/me/notification-preferences/", {"kinds": {"signup_confirmed": True}})
    assert response.json()["kinds"] == [{"kind": "digest", "label": "Weekly digest", "on": True}]
    assert response.json()["channels"] == ["in_app"]


def test_preferences_kind_labels_in_the_persons_language(login, monkeypatch):
    monkeypatch.setattr(kinds, "_kinds", {})
    kinds.register_notification_kind("digest", label="Weekly digest", label_es="Resumen semanal")
    person = PersonFactory(language="es")
    response = login(person).get("/api/v1/me/notification-preferences/")
    assert response.json()["kinds"] == [{"kind": "digest", "label": "Resumen semanal", "on": True}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"channels": ["pigeon"]}, "channels.0"),
        ({"reminder_lead_minutes": [1]}, "reminder_lead_minutes.0"),
        ({"quiet_hours_start": "22:00"}, "quiet_hours_end"),
        ({"kinds": {"Not A Kind!": False}}, "kinds"),
        ({"language": "fr"}, "language"),
    ],
)
def test_preferences_patch_rejects_bad_input(person, login, body, field):
    response = login(person).patch("/api/v1/me/notification-preferences/", body)
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_unsubscribe_one_click_without_login(person, api, django_capture_on_commit_callbacks):
    token = unsubscribe_token(person_id=person.pk, kind="greeting")
    response = api.get(f"/api/v1/unsubscribe/{token}/")
    assert response.status_code == 200
    masked = f"p…@{person.email.split('@')[1]}"
    assert response.json() == {"kind": "greeting", "email": masked, "subscribed": True}

    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" as a form, no cookies.
    response = api.post(
        f"/api/v1/unsubscribe/{token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response.json() == {"kind": "greeting", "email": masked, "subscribed": False}
    assert NotificationPreference.objects.get(person=person).disabled_kinds == ["greeting"]

    with django_capture_on_commit_callbacks(execute=True):
        services.notification_create(
            recipient=person, kind="greeting", template="tests/greeting", context={"name": "A"}, key="after"
        )
    assert len(mail.outbox) == 0
    assert dict(Notification.objects.values_list("channel", "status")) == {
        "email": "suppressed",
        "in_app": "sent",
    }


def test_unsubscribe_with_a_forged_token_is_not_found(api, person):
    token = unsubscribe_token(person_id=person.pk, kind="greeting")
    response = api.post(f"/api/v1/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert NotificationPreference.objects.filter(person=person).count() == 0


def test_unsubscribe_link_in_the_mail_works(person, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_create(
            recipient=person,
            kind="greeting",
            template="tests/greeting",
            context={"name": "A"},
            key="k",
            channels=["email"],
        )
    url = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = url.removeprefix("https://village.example.org")
    assert api.post(path).status_code == 200
    assert NotificationPreference.objects.get(person=person).disabled_kinds == ["greeting"]


def test_unsubscribe_suppresses_pending_mail_of_that_kind(person, api):
    services.notification_create(
        recipient=person,
        kind="greeting",
        template="tests/greeting",
        context={},
        key="later",
        send_at=timezone.now() + timedelta(days=1),
    )
    other = PersonFactory()
    services.notification_create(
        recipient=other,
        kind="greeting",
        template="tests/greeting",
        context={},
        key="other",
        send_at=timezone.now() + timedelta(days=1),
    )
    api.post(f"/api/v1/unsubscribe/{unsubscribe_token(person_id=person.pk, kind='greeting')}/")
    assert sorted(Notification.objects.values_list("key", "channel", "status")) == [
        ("later", "email", "suppressed"),
        ("later", "in_app", "pending"),
        ("other", "email", "pending"),
        ("other", "in_app", "pending"),
    ]
