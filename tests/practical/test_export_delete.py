"""The family's data: export all of it, or delete it while volunteers' calendars learn it is off."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Invitation, Person, Role
from notifications.models import Notification
from notifications.rendering import render_notification
from practical import export
from practical.help import services as help_services
from practical.help.details import validate_details
from practical.models import (
    AddressRead,
    Circle,
    CircleAuditEntry,
    CircleStatusChange,
    Contribution,
    HelpRequest,
)
from scheduling import services as engine
from scheduling.models import Roster, RosterMembership, Shift, Signup
from tests.factories import PersonFactory
from tests.practical.help_factories import People, add_volunteer, circle_with_people

pytestmark = pytest.mark.django_db

# Strings only this family's data contains: after deletion none may be left in the database.
NAME = "Zanzibar Okafor household"
SECRETS = (
    "Zanzibar",
    "Okafor",
    "Quillfeather",
    "555 9911",
    "Xiomara",
    "Brisketto",
    "Kumquat",
    "Jollof",
    "Tamarind",
    "okafor.aunt@example.com",
)


@dataclass
class Seeded:
    people: People
    help_request: HelpRequest
    past_request: HelpRequest
    signup: Signup
    waiting: Person


def _seed(login, *, name: str = NAME) -> Seeded:
    """A circle with something in every place the family's data can be."""
    people = circle_with_people(name=name)
    circle, family, volunteer = people.circle, people.coordinator, people.volunteer
    client = login(family)
    profile = {
        "address": "77 Quillfeather Road",
        "phone": "+1 555 9911",
        "children": [{"name": "Xiomara", "birth_date": "2026-01-02"}],
        "likes": "Tamarind rice",
        "dislikes": "Okafor's least favourite: olives",
        "pets": "A cat called Brisketto",
        "allergies_other": "Kumquat",
        "dropoff_instructions": "Ring the Quillfeather bell",
    }
    assert client.patch(f"/api/v1/circles/{circle.pk}/", profile, format="json").status_code == 200
    starts_at = timezone.now() + timedelta(days=2)
    help_request = help_services.help_request_create(
        circle=circle,
        actor=family,
        kind="meal",
        title="Dinner for the Okafor kids",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        details=validate_details(kind="meal", details={"servings": 4, "notes": "Quillfeather porch bench"}),
    )
    engine.shift_update(shift=help_request.shift, actor=family, location="Quillfeather Road", notes="Okafor")
    claim = help_services.help_request_claim(
        help_request=help_request, person=volunteer, dish="Jollof rice", notes="Tamarind on the side"
    )
    waiting = PersonFactory(name="Wanda Waits", language="es")
    RosterMembership.objects.create(roster=circle.roster, person=waiting, role=Role.VOLUNTEER)
    engine.signup_claim(shift=help_request.shift, person=waiting, join_waitlist=True)
    # The volunteer is shown the address (the day before would be realistic; any time here).
    AddressRead.objects.create(circle=circle, person=volunteer, via="api:circle")
    past_start = timezone.now() - timedelta(days=3)
    past_request = help_services.help_request_create(
        circle=circle,
        actor=family,
        kind="errand",
        title="Okafor pharmacy run",
        starts_at=timezone.now() + timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=2),
        details={},
    )
    past = help_services.help_request_claim(help_request=past_request, person=volunteer)
    Shift.objects.filter(pk=past_request.shift_id).update(
        starts_at=past_start, ends_at=past_start + timedelta(hours=1)
    )
    help_services.signup_thank(
        signup=past.signup, help_request=past_request, actor=family, message="Zanzibar thanks you"
    )
    assert client.post(f"/api/v1/circles/{circle.pk}/pause/").status_code == 200
    assert client.post(f"/api/v1/circles/{circle.pk}/resume/").status_code == 200
    Invitation.objects.create(
        target_kind=Invitation.TargetKind.CIRCLE,
        target_id=circle.pk,
        token_hash="x" * 64,
        email="okafor.aunt@example.com",
        invited_by=family,
        expires_at=timezone.now() + timedelta(days=7),
    )
    return Seeded(people, help_request, past_request, claim.signup, waiting)


def _other_circle(login, helper: Person | None = None) -> tuple[People, Signup]:
    """Another family's circle where the same volunteer helps; deleting the first must not touch it."""
    other = circle_with_people(name="The Nguyen family", address="5 Elm Street")
    starts_at = timezone.now() + timedelta(days=4)
    help_request = help_services.help_request_create(
        circle=other.circle,
        actor=other.coordinator,
        kind="meal",
        title="Nguyen lunch",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        details={},
    )
    if helper is not None:
        RosterMembership.objects.create(roster=other.circle.roster, person=helper, role=Role.VOLUNTEER)
    claim = help_services.help_request_claim(
        help_request=help_request, person=helper or other.volunteer, dish="Pho"
    )
    return other, claim.signup


# --- export -------------------------------------------------------------------------------------


def test_export_has_everything_about_the_circle(login):
    seeded = _seed(login)
    circle = seeded.people.circle
    response = login(seeded.people.coordinator).get(f"/api/v1/circles/{circle.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="village-circle-{circle.pk}.json"'
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    assert sorted(data) == [
        "address_reads",
        "audit",
        "childcare_approvals",
        "circle",
        "contributions",
        "exported_at",
        "members",
        "requests",
        "signups",
        "status_history",
        "thanks",
    ]
    assert data["circle"]["name"] == NAME
    assert (data["circle"]["address"], data["circle"]["phone"]) == ("77 Quillfeather Road", "+1 555 9911")
    assert data["circle"]["children"] == [{"name": "Xiomara", "birth_date": "2026-01-02"}]
    assert data["circle"]["time_zone"] == "America/New_York"
    assert sorted((m["name"], m["role"], m["email"]) for m in data["members"]) == sorted(
        [
            ("Maria Lopez", "coordinator", seeded.people.coordinator.email),
            ("Ana Smith", "volunteer", seeded.people.volunteer.email),
            ("Wanda Waits", "volunteer", seeded.waiting.email),
        ]
    )
    assert [(r["title"], r["kind"], r["status"]) for r in data["requests"]] == [
        ("Okafor pharmacy run", "errand", "scheduled"),
        ("Dinner for the Okafor kids", "meal", "scheduled"),
    ]
    assert data["requests"][1]["details"] == {
        "servings": 4,
        "notes": "Quillfeather porch bench",
        "containers_to_return": False,
    }
    assert [(s["name"], s["status"]) for s in data["signups"]] == [
        ("Ana Smith", "confirmed"),
        ("Ana Smith", "confirmed"),
        ("Wanda Waits", "waitlisted"),
    ]
    assert [(c["name"], c["dish"], c["notes"]) for c in data["contributions"]] == [
        ("Ana Smith", "", ""),
        ("Ana Smith", "Jollof rice", "Tamarind on the side"),
    ]
    assert [(t["request_id"], t["message"]) for t in data["thanks"]] == [
        (seeded.past_request.pk, "Zanzibar thanks you")
    ]
    assert [(r["name"], r["via"]) for r in data["address_reads"]] == [("Ana Smith", "api:circle")]
    assert [e["action"] for e in data["audit"]] == [
        "profile_edited",
        "request_created",
        "request_created",
        "signup_thanked",
        "circle_paused",
        "circle_resumed",
    ]
    assert [(h["from"], h["to"], h["changed_by"]) for h in data["status_history"]] == [
        ("active", "paused", "Maria Lopez"),
        ("paused", "active", "Maria Lopez"),
    ]
    assert data["childcare_approvals"] == []


def test_export_only_for_coordinators(api, login):
    seeded = _seed(login)
    url = f"/api/v1/circles/{seeded.people.circle.pk}/export/"
    assert login(seeded.people.volunteer).get(url).status_code == 403
    assert login(seeded.people.stranger).get(url).status_code == 404
    assert api.get(url).status_code == 404


def test_export_query_count_constant(login, django_assert_num_queries):
    seeded = _seed(login)
    client = login(seeded.people.coordinator)
    url = f"/api/v1/circles/{seeded.people.circle.pk}/export/"
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(url).status_code == 200
    for number in range(5):
        starts_at = timezone.now() + timedelta(days=5 + number)
        more = help_services.help_request_create(
            circle=seeded.people.circle,
            actor=seeded.people.coordinator,
            kind="meal",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            details={},
        )
        helper = add_volunteer(seeded.people.circle, name=f"Helper {number}")
        help_services.help_request_claim(help_request=more, person=helper, dish="Soup")
        AddressRead.objects.create(circle=seeded.people.circle, person=helper)
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(url).status_code == 200


# circle, role, members, shifts+requests, sign-ups+contributions, approvals, reads, audit, history
EXPORT_QUERIES = 9


# --- delete -------------------------------------------------------------------------------------


def _text_values(model: type[models.Model]) -> list[str]:
    fields = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField | models.EmailField)
    ]
    if not fields:
        return []
    return [json.dumps(row, default=str) for row in model.objects.values_list(*fields)]


def _leftovers() -> list[tuple[str, str]]:
    """Every text and JSON value in practical's and scheduling's tables (and invitations) naming the family."""
    found = []
    models_to_search = [
        *apps.get_app_config("practical").get_models(),
        *apps.get_app_config("scheduling").get_models(),
    ]
    for model in [*models_to_search, Invitation]:
        for value in _text_values(model):
            for secret in SECRETS:
                if secret.lower() in value.lower():
                    found.append((model.__name__, secret))
    return found


def _delete(client, circle, body):
    return client.delete(f"/api/v1/circles/{circle.pk}/", body, format="json")


def _feed_path(client) -> str:
    """The person's feed path (its URL is shown only when first issued)."""
    return "/calendars/" + client.get("/api/v1/me/feeds/").json()["urls"]["url"].rsplit("/", 1)[1]


def _feed(path, api) -> Calendar:
    response = api.get(path)
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def test_delete_cancels_commitments_tells_volunteers_and_removes_the_familys_data(api, login):
    seeded = _seed(login)
    other, other_signup = _other_circle(login, helper=seeded.people.volunteer)
    circle, volunteer = seeded.people.circle, seeded.people.volunteer
    assert _leftovers() != []  # the search finds the seeded strings before deletion
    other_before = export.circle_export(circle=other.circle)
    feed_path = _feed_path(login(volunteer))
    feed = _feed(feed_path, api)
    assert any("Okafor" in str(e.get("SUMMARY")) for e in feed.walk("VEVENT"))

    response = _delete(login(seeded.people.coordinator), circle, {"confirm": NAME})

    assert response.status_code == 204
    assert _leftovers() == []
    # The volunteer's feed shows the commitment cancelled, without the family's name or address.
    events = {str(e["UID"]): e for e in _feed(feed_path, api).walk("VEVENT")}
    event = events[f"signup-{seeded.signup.pk}@village"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]) == "Cancelled help request · Deleted circle"
    assert "LOCATION" not in event or str(event["LOCATION"]) == ""
    whole = _feed(feed_path, api).to_ical().decode()
    for secret in SECRETS:
        assert secret not in whole
    assert str(events[f"signup-{other_signup.pk}@village"]["STATUS"]) == "CONFIRMED"
    # Told, each in their language; the list says the kind and the time, not the family's title.
    told = Notification.objects.filter(kind="circle_deleted").order_by("recipient__name")
    assert sorted({n.recipient_id for n in told}) == sorted([volunteer.pk, seeded.waiting.pk])
    english = render_notification(told.filter(recipient=volunteer).first())
    assert english.subject == f"{NAME} has closed their circle: your commitments are cancelled"
    assert "- Meal, " in english.text
    assert "Okafor kids" not in english.text
    spanish = render_notification(told.filter(recipient=seeded.waiting).first())
    assert spanish.subject == f"{NAME} ha cerrado su círculo: tus compromisos quedan cancelados"
    assert "(estabas en la lista de espera)" in spanish.text
    # The rows that tell calendars stay, cancelled and stripped; the family's rows are gone.
    shift = Shift.objects.get(pk=seeded.help_request.shift_id)
    assert (shift.status, shift.title, shift.location, shift.notes) == (
        Shift.Status.CANCELLED,
        "Cancelled help request",
        "",
        "",
    )
    assert sorted(Signup.objects.filter(shift=shift).values_list("status", flat=True)) == [
        "cancelled",
        "cancelled",
    ]
    past = Shift.objects.get(pk=seeded.past_request.shift_id)
    assert (past.status, past.title) == (Shift.Status.SCHEDULED, "Past help request")
    tombstone = Circle.objects.get(pk=circle.pk)
    assert (tombstone.name, tombstone.status, tombstone.organisation_id) == ("Deleted circle", "closed", None)
    assert tombstone.deleted_at is not None
    assert (tombstone.address, tombstone.phone, tombstone.children, tombstone.likes) == ("", "", [], "")
    assert Roster.objects.get(pk=circle.roster_id).name == "Deleted circle"
    for model in (HelpRequest, AddressRead, CircleAuditEntry, CircleStatusChange):
        assert model.objects.filter(circle=circle).count() == 0
    assert Contribution.objects.filter(signup__shift__roster=circle.roster).count() == 0
    assert RosterMembership.objects.filter(roster=circle.roster).count() == 0
    assert Invitation.objects.filter(target_kind="circle", target_id=circle.pk).count() == 0
    # Nobody sees the tombstone, not even the family or the organisation's coordinators.
    for person in (seeded.people.coordinator, seeded.people.org_coordinator, volunteer):
        assert login(person).get(f"/api/v1/circles/{circle.pk}/").status_code == 404
        ids = [c["id"] for c in login(person).get("/api/v1/circles/").json()["results"]]
        assert circle.pk not in ids
    # The other circle, the people's accounts and their other commitments are untouched.
    other_after = export.circle_export(circle=other.circle)
    assert {k: v for k, v in other_after.items() if k != "exported_at"} == {
        k: v for k, v in other_before.items() if k != "exported_at"
    }
    assert Person.objects.filter(pk__in=[volunteer.pk, seeded.people.coordinator.pk]).count() == 2


def test_delete_needs_the_circles_name_and_changes_nothing_otherwise(login):
    seeded = _seed(login)
    circle = seeded.people.circle
    client = login(seeded.people.coordinator)
    before = export.circle_export(circle=circle)
    for body in ({"confirm": "Okafor"}, {}, {"confirm": NAME, "extra": 1}):
        response = _delete(client, circle, body)
        assert response.status_code == 400, body
    assert _delete(client, circle, {"confirm": "okafor"}).json()["error"]["code"] == "confirm_mismatch"
    after = export.circle_export(circle=circle)
    assert {k: v for k, v in after.items() if k != "exported_at"} == {
        k: v for k, v in before.items() if k != "exported_at"
    }
    assert Notification.objects.filter(kind="circle_deleted").count() == 0


def test_delete_only_by_coordinators(api, login):
    seeded = _seed(login)
    circle = seeded.people.circle
    assert _delete(login(seeded.people.volunteer), circle, {"confirm": NAME}).status_code == 403
    assert _delete(login(seeded.people.stranger), circle, {"confirm": NAME}).status_code == 404
    assert _delete(login(seeded.people.org_volunteer), circle, {"confirm": NAME}).status_code == 404
    assert _delete(api, circle, {"confirm": NAME}).status_code == 404
    assert Circle.objects.get(pk=circle.pk).name == NAME


def test_delete_tombstone_purged_after_calendars_had_time(login):
    seeded = _seed(login)
    other, _ = _other_circle(login)
    circle = seeded.people.circle
    assert _delete(login(seeded.people.coordinator), circle, {"confirm": NAME}).status_code == 204

    assert export.circle_tombstones_purge(timezone.now() + timedelta(days=29)) == 0
    assert Circle.objects.filter(pk=circle.pk).exists()
    assert export.circle_tombstones_purge(timezone.now() + timedelta(days=31)) == 1
    assert not Circle.objects.filter(pk=circle.pk).exists()
    assert not Shift.objects.filter(roster_id=circle.roster_id).exists()
    assert Circle.objects.filter(pk=other.circle.pk).exists()
    assert Shift.objects.filter(roster_id=other.circle.roster_id).count() == 1


def test_delete_tombstone_purge_runs_as_a_periodic_job(login):
    from notifications.scheduler import registered_jobs, run_due_jobs

    seeded = _seed(login)
    circle = seeded.people.circle
    assert _delete(login(seeded.people.coordinator), circle, {"confirm": NAME}).status_code == 204

    assert registered_jobs()["practical.circle_tombstones_purge"].every == timedelta(hours=6)
    assert "practical.circle_tombstones_purge" in run_due_jobs(now=timezone.now() + timedelta(days=31))
    assert not Circle.objects.filter(pk=circle.pk).exists()
