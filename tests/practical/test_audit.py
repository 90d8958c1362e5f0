"""The circle's audit log: coordinators' actions and address reads, newest first, for the family."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import MembershipStatus, Role
from practical import audit
from practical.models import AddressRead, CircleAuditEntry
from scheduling import services as engine
from tests.factories import PersonFactory, RosterMembershipFactory
from tests.practical.help_factories import MEAL_DETAILS, circle_with_people, make_request

pytestmark = pytest.mark.django_db

ADDRESS = "12 Juniper Lane, Apt 3"
PHONE = "+1 555 0142"


def _log(client, circle, **params):
    response = client.get(f"/api/v1/circles/{circle.pk}/audit/", params)
    assert response.status_code == 200, response.json()
    return response.json()


def _actions(client, circle):
    return [(row["action"], row["actor_name"], row["target_name"]) for row in _log(client, circle)["results"]]


def test_audit_records_coordinator_actions_newest_first(login):
    people = circle_with_people(name="The Lopez family")
    circle, family = people.circle, people.coordinator
    waiting = PersonFactory(name="Wes Waiting")
    RosterMembershipFactory(roster=circle.roster, person=waiting, status=MembershipStatus.PENDING)
    client = login(family)
    base = f"/api/v1/circles/{circle.pk}"

    assert client.patch(f"{base}/", {"address": ADDRESS, "phone": PHONE, "likes": "Soup"}).status_code == 200
    # Saving the form again unchanged is not an edit worth a line in the log.
    assert client.patch(f"{base}/", {"address": ADDRESS, "likes": "Soup"}).status_code == 200
    assert client.patch(f"{base}/members/{waiting.pk}/", {"status": "active"}).status_code == 200
    assert client.patch(f"{base}/members/{waiting.pk}/", {"role": "coordinator"}).status_code == 200
    assert client.post(f"{base}/childcare-approvals/", {"person": people.volunteer.pk}).status_code == 201
    assert client.delete(f"{base}/childcare-approvals/{people.volunteer.pk}/").status_code == 204
    assert client.delete(f"{base}/members/{waiting.pk}/").status_code == 204
    starts_at = timezone.now() + timedelta(days=2)
    body = {
        "kind": "meal",
        "title": "Dinner",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
        "details": dict(MEAL_DETAILS),
    }
    created = client.post(f"{base}/requests/", body, format="json")
    assert created.status_code == 201, created.json()
    request_id = created.json()["id"]
    assert client.patch(f"/api/v1/requests/{request_id}/", {"capacity": 2}, format="json").status_code == 200
    assert client.post(f"/api/v1/requests/{request_id}/received/").status_code == 200
    assert client.delete(f"/api/v1/requests/{request_id}/").status_code == 200
    assert client.post(f"{base}/pause/").status_code == 200
    assert client.post(f"{base}/resume/").status_code == 200
    assert client.post(f"{base}/close/").status_code == 200

    assert _actions(client, circle) == [
        (audit.CIRCLE_CLOSED, "Maria Lopez", None),
        (audit.CIRCLE_RESUMED, "Maria Lopez", None),
        (audit.CIRCLE_PAUSED, "Maria Lopez", None),
        (audit.REQUEST_CANCELLED, "Maria Lopez", None),
        (audit.REQUEST_RECEIVED, "Maria Lopez", None),
        (audit.REQUEST_EDITED, "Maria Lopez", None),
        (audit.REQUEST_CREATED, "Maria Lopez", None),
        (audit.MEMBER_REMOVED, "Maria Lopez", "Wes Waiting"),
        (audit.CHILDCARE_WITHDRAWN, "Maria Lopez", "Ana Smith"),
        (audit.CHILDCARE_APPROVED, "Maria Lopez", "Ana Smith"),
        (audit.MEMBER_ROLE_CHANGED, "Maria Lopez", "Wes Waiting"),
        (audit.MEMBER_APPROVED, "Maria Lopez", "Wes Waiting"),
        (audit.PROFILE_EDITED, "Maria Lopez", None),
    ]
    rows = {row["action"]: row for row in _log(client, circle)["results"]}
    # Which fields, never the address or phone themselves.
    assert rows[audit.PROFILE_EDITED]["detail"] == {"fields": ["address", "likes", "phone"]}
    assert rows[audit.REQUEST_EDITED]["detail"] == {"request_id": request_id, "fields": ["capacity"]}
    assert rows[audit.CIRCLE_PAUSED]["detail"] == {"from": "active", "to": "paused"}
    assert rows[audit.MEMBER_ROLE_CHANGED]["detail"] == {
        "role": "coordinator",
        "status": "active",
        "previous_role": "volunteer",
        "previous_status": "active",
    }
    assert rows[audit.PROFILE_EDITED]["type"] == "action"
    assert rows[audit.PROFILE_EDITED]["via"] is None
    for entry in CircleAuditEntry.objects.all():
        assert ADDRESS not in str(entry.detail)
        assert PHONE not in str(entry.detail)


def test_audit_merges_address_reads_with_actions(login):
    people = circle_with_people(address=ADDRESS, phone=PHONE)
    help_request = make_request(people, starts_at=timezone.now() + timedelta(hours=2))
    engine.signup_claim(shift=help_request.shift, person=people.volunteer)
    volunteer = login(people.volunteer)
    assert volunteer.get(f"/api/v1/circles/{people.circle.pk}/").json()["address"] == ADDRESS
    assert volunteer.get(f"/api/v1/requests/{help_request.pk}/").status_code == 200

    data = _log(login(people.coordinator), people.circle)
    assert data["count"] == 3
    read_ids = list(AddressRead.objects.order_by("-pk").values_list("pk", flat=True))
    assert [(r["type"], r["id"], r["action"], r["actor_name"], r["via"]) for r in data["results"]] == [
        ("address_read", read_ids[0], audit.ADDRESS_SHOWN, "Ana Smith", "request"),
        ("address_read", read_ids[1], audit.ADDRESS_SHOWN, "Ana Smith", "api:circle"),
        ("action", CircleAuditEntry.objects.get().pk, audit.REQUEST_CREATED, "Maria Lopez", None),
    ]
    assert data["results"][0]["detail"] is None
    assert data["results"][0]["actor_id"] == people.volunteer.pk


def test_audit_thanks_recorded_without_the_words(login):
    people = circle_with_people()
    help_request = make_request(people)
    signup = engine.signup_claim(shift=help_request.shift, person=people.volunteer).signup
    response = login(people.coordinator).post(
        f"/api/v1/signups/{signup.pk}/thanks/", {"message": "You saved our week"}
    )
    assert response.status_code == 201
    login(people.coordinator).post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": "Again"})

    entries = list(CircleAuditEntry.objects.filter(action=audit.SIGNUP_THANKED))
    assert [(e.target_person_id, e.detail) for e in entries] == [
        (people.volunteer.pk, {"request_id": help_request.pk, "signup_id": signup.pk})
    ]


def test_audit_refused_change_leaves_no_entry(login):
    people = circle_with_people()
    response = login(people.coordinator).delete(
        f"/api/v1/circles/{people.circle.pk}/members/{people.coordinator.pk}/"
    )
    assert response.status_code == 409
    assert CircleAuditEntry.objects.count() == 0


def test_audit_invitation_join_recorded(login):
    people = circle_with_people()
    newcomer = PersonFactory(name="Nia New")
    from practical.services import circle_membership_join

    circle_membership_join(
        circle=people.circle, person=newcomer, role=Role.VOLUNTEER, status=MembershipStatus.PENDING
    )
    assert _actions(login(people.coordinator), people.circle) == [(audit.MEMBER_JOINED, "Nia New", "Nia New")]


def test_audit_only_for_coordinators(api, login):
    people = circle_with_people()
    url = f"/api/v1/circles/{people.circle.pk}/audit/"
    assert login(people.volunteer).get(url).status_code == 403
    assert login(people.stranger).get(url).status_code == 404
    assert login(people.org_volunteer).get(url).status_code == 404
    assert api.get(url).status_code == 404
    assert login(people.org_coordinator).get(url).status_code == 200
    assert login(people.coordinator).get("/api/v1/circles/999999/audit/").status_code == 404


def test_audit_paginates(login):
    people = circle_with_people()
    for _ in range(3):
        audit.audit_record(circle=people.circle, actor=people.coordinator, action=audit.PROFILE_EDITED)
    for _ in range(2):
        AddressRead.objects.create(circle=people.circle, person=people.volunteer)
    client = login(people.coordinator)
    first = _log(client, people.circle, limit=2)
    second = _log(client, people.circle, limit=2, offset=2)
    third = _log(client, people.circle, limit=2, offset=4)
    assert first["count"] == 5
    seen = [(r["type"], r["id"]) for page in (first, second, third) for r in page["results"]]
    assert len(set(seen)) == 5


def _seed(people, n):
    for _ in range(n):
        reader = PersonFactory()
        AddressRead.objects.create(circle=people.circle, person=reader)
        audit.audit_record(
            circle=people.circle,
            actor=people.coordinator,
            action=audit.MEMBER_REMOVED,
            target_person_id=reader.pk,
            detail={"role": "volunteer"},
        )


# The circle, the caller's role, COUNT, the page (names come from joins): never one per row.
AUDIT_QUERIES = 4


@pytest.mark.parametrize("n", [1, 50])
def test_audit_query_count_constant(login, django_assert_num_queries, n):
    people = circle_with_people()
    _seed(people, n)
    client = login(people.coordinator)
    with django_assert_num_queries(AUDIT_QUERIES):
        data = _log(client, people.circle)
    assert data["count"] == 2 * n
    assert len(data["results"]) == min(2 * n, 50)  # one full page at 50


def _aged(model, pk: int, days_ago: int, field: str) -> None:
    # The timestamps are auto_now_add: move them back the way time would have.
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(days=days_ago)})


def test_audit_filters_by_kind_of_entry_and_time(login):
    people = circle_with_people()
    reader = PersonFactory(name="Rita Reader")
    old_read = AddressRead.objects.create(circle=people.circle, person=reader)
    _aged(AddressRead, old_read.pk, 30, "read_at")
    AddressRead.objects.create(circle=people.circle, person=reader)
    removed = audit.audit_record(
        circle=people.circle,
        actor=people.coordinator,
        action=audit.MEMBER_REMOVED,
        target_person_id=reader.pk,
    )
    _aged(CircleAuditEntry, removed.pk, 20, "created_at")
    audit.audit_record(circle=people.circle, actor=people.coordinator, action=audit.PROFILE_EDITED)
    client = login(people.coordinator)
    week_ago = (timezone.now() - timedelta(days=7)).isoformat()

    def kinds(**params: str) -> list[str]:
        return [row["action"] for row in _log(client, people.circle, **params)["results"]]

    assert kinds() == ["profile_edited", "address_shown", "member_removed", "address_shown"]
    assert kinds(action="address_shown") == ["address_shown", "address_shown"]
    assert kinds(action="member_removed") == ["member_removed"]
    assert kinds(since=week_ago) == ["profile_edited", "address_shown"]
    assert kinds(until=week_ago) == ["member_removed", "address_shown"]
    assert kinds(action="address_shown", until=week_ago) == ["address_shown"]
    assert _log(client, people.circle, action="member_removed", since=week_ago)["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"), [({"action": "gossip"}, "action"), ({"until": "yesterday"}, "until")]
)
def test_audit_refuses_a_bad_filter_naming_it(login, params, field):
    people = circle_with_people()

    response = login(people.coordinator).get(f"/api/v1/circles/{people.circle.pk}/audit/", params)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
