from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import invitations as registry
from accounts.models import Invitation, InvitationAcceptance, MembershipStatus, OrganisationMembership, Role
from tests.accounts.factories import InvitationFactory, member
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://village.example"


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Meals on Elm")


@pytest.fixture
def coordinator(organisation):
    return member(organisation, role=Role.COORDINATOR, name="Cora")


def _invite(client, organisation, **fields):
    body = {"target_kind": "organisation", "target_id": organisation.pk, **fields}
    return client.post("/api/v1/invitations/", body)


def test_invitation_create_returns_token_once_and_stores_only_hash(login, organisation, coordinator):
    response = _invite(login(coordinator), organisation, max_uses=5)

    assert response.status_code == 201
    body = response.json()
    invitation = Invitation.objects.get()
    token = body["token"]
    assert len(token) == 32
    assert body["join_url"] == f"https://village.example/#/join/{token}"
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(v) for v in Invitation.objects.values().get().values()}
    assert body == {
        "id": invitation.pk,
        "target_kind": "organisation",
        "target_id": organisation.pk,
        "role": "volunteer",
        "email": "",
        "requires_approval": False,
        "max_uses": 5,
        "use_count": 0,
        "expires_at": body["expires_at"],
        "revoked_at": None,
        "created_at": body["created_at"],
        "invited_by": {"id": coordinator.pk, "name": "Cora"},
        "state": "active",
        "token": token,
        "join_url": body["join_url"],
    }
    assert abs(invitation.expires_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)


@pytest.mark.parametrize(("days", "ok"), [(0, False), (1, True), (60, True), (61, False)])
def test_invitation_expiry_must_be_1_to_60_days(login, organisation, coordinator, days, ok):
    response = _invite(login(coordinator), organisation, expires_in_days=days)

    assert response.status_code == (201 if ok else 400)
    if not ok:
        assert list(response.json()["error"]["fields"]) == ["expires_in_days"]


def test_invitation_create_refuses_unknown_kind(login, organisation, coordinator):
    response = login(coordinator).post(
        "/api/v1/invitations/", {"target_kind": "spaceship", "target_id": organisation.pk}
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["target_kind"]


@pytest.mark.parametrize("who", ["volunteer", "pending", "stranger"])
def test_invitation_create_is_404_for_those_who_cannot_invite(login, organisation, who):
    status = MembershipStatus.PENDING if who == "pending" else MembershipStatus.ACTIVE
    person = PersonFactory() if who == "stranger" else member(organisation, status=status)

    response = _invite(login(person), organisation)

    assert response.status_code == 404
    assert Invitation.objects.count() == 0


def test_email_invitation_mails_join_link_in_invitees_language(login, organisation, coordinator, sent_emails):
    PersonFactory(email="dora@example.org", language="es")

    response = _invite(login(coordinator), organisation, email="Dora@Example.org")

    (message,) = sent_emails
    assert response.json()["email"] == "dora@example.org"
    assert (message["to"], message["kind"], message["language"]) == ("dora@example.org", "invitation", "es")
    assert message["key"] == f"invitation:{response.json()['id']}"
    assert message["subject"] == "Cora te invitó a unirte a Meals on Elm en Village"
    assert response.json()["join_url"] in message["body"]
    assert "como voluntario/a" in message["body"]


def test_email_invitation_for_newcomer_uses_inviters_language(login, organisation, coordinator, sent_emails):
    _invite(login(coordinator), organisation, email="new@example.org", role="coordinator")

    (message,) = sent_emails
    assert message["language"] == "en"
    assert message["subject"] == "Cora invited you to join Meals on Elm on Village"
    assert "as a coordinator" in message["body"]


def test_link_invitation_sends_no_email(login, organisation, coordinator, sent_emails):
    _invite(login(coordinator), organisation)

    assert sent_emails == []


def test_invitation_list_shows_no_tokens(login, organisation, coordinator):
    client = login(coordinator)
    first = _invite(client, organisation).json()
    second = _invite(client, organisation, email="x@example.org").json()
    _invite(client, OrganisationFactory())  # not a coordinator there: 404, nothing made

    response = client.get(f"/api/v1/invitations/?target_kind=organisation&target_id={organisation.pk}")

    assert response.status_code == 200
    assert [i["id"] for i in response.json()["results"]] == [second["id"], first["id"]]
    assert all("token" not in i and "join_url" not in i for i in response.json()["results"])


def test_invitation_list_needs_target(login, coordinator):
    response = login(coordinator).get("/api/v1/invitations/")

    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["target_id", "target_kind"]


@pytest.mark.parametrize("count", [1, 50])
def test_invitation_list_query_count_is_constant(
    login, organisation, coordinator, django_assert_num_queries, count
):
    for _ in range(count):
        InvitationFactory(target_id=organisation.pk, invited_by=PersonFactory())
    client = login(coordinator)

    # can_invite + count + page joined to inviters
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/invitations/?target_kind=organisation&target_id={organisation.pk}")

    assert len(response.json()["results"]) == count


def test_invitation_revoke_stops_preview_and_accept(login, api, organisation, coordinator):
    created = _invite(login(coordinator), organisation).json()

    response = login(coordinator).post(f"/api/v1/invitations/{created['id']}/revoke/")

    assert response.status_code == 200
    assert response.json()["state"] == "revoked"
    assert api.get(f"/api/v1/invitations/{created['token']}/").status_code == 404
    assert login(PersonFactory()).post(f"/api/v1/invitations/{created['token']}/accept/").status_code == 404


def test_invitation_preview_is_minimal_and_anonymous(api, login, organisation, coordinator):
    created = _invite(login(coordinator), organisation, requires_approval=True, role="coordinator").json()

    response = api.get(f"/api/v1/invitations/{created['token']}/")

    assert response.status_code == 200
    assert response.json() == {
        "target_kind": "organisation",
        "name": "Meals on Elm",
        "role": "coordinator",
        "expires_at": created["expires_at"],
        "requires_approval": True,
    }


def test_invitation_preview_is_one_404_for_every_unusable_token(api, organisation):
    past = timezone.now() - timedelta(minutes=1)
    InvitationFactory(token="expired", target_id=organisation.pk, expires_at=past)
    InvitationFactory(token="revoked", target_id=organisation.pk, revoked_at=past)
    InvitationFactory(token="used-up", target_id=organisation.pk, max_uses=2, use_count=2)
    InvitationFactory(token="no-target", target_id=organisation.pk + 1000)

    bodies = [
        api.get(f"/api/v1/invitations/{token}/")
        for token in ["unknown", "expired", "revoked", "used-up", "no-target"]
    ]

    assert [r.status_code for r in bodies] == [404] * 5
    assert len({r.content for r in bodies}) == 1


def test_invitation_preview_is_throttled(api, settings, organisation):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "invitation": "3/min",
        },
    }

    statuses = [api.get(f"/api/v1/invitations/guess-{n}/").status_code for n in range(4)]

    assert statuses == [404, 404, 404, 429]


def test_invitation_accept_makes_active_member(login, organisation):
    InvitationFactory(token="link", target_id=organisation.pk)
    person = PersonFactory()

    response = login(person).post("/api/v1/invitations/link/accept/")

    assert response.status_code == 200
    assert response.json() == {
        "target_kind": "organisation",
        "target_id": organisation.pk,
        "status": "active",
    }
    membership = OrganisationMembership.objects.get(person=person)
    assert (membership.organisation, membership.role, membership.status) == (
        organisation,
        "volunteer",
        "active",
    )


def test_invitation_accept_with_approval_makes_pending_member(login, organisation, coordinator):
    InvitationFactory(token="link", target_id=organisation.pk, requires_approval=True)
    person = PersonFactory()

    response = login(person).post("/api/v1/invitations/link/accept/")

    assert response.json()["status"] == "pending"
    assert OrganisationMembership.objects.get(person=person).status == "pending"
    # The pending member knows the organisation, but can't see its members yet.
    assert login(person).get(f"/api/v1/organisations/{organisation.pk}/").status_code == 200
    assert login(person).get(f"/api/v1/organisations/{organisation.pk}/members/").status_code == 403


def test_invitation_accept_twice_is_idempotent(login, organisation):
    invitation = InvitationFactory(token="link", target_id=organisation.pk, max_uses=1)
    client = login(PersonFactory())

    first = client.post("/api/v1/invitations/link/accept/")
    second = client.post("/api/v1/invitations/link/accept/")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    invitation.refresh_from_db()
    assert invitation.use_count == 1
    assert OrganisationMembership.objects.count() == 1
    assert InvitationAcceptance.objects.count() == 1


def test_invitation_accept_respects_max_uses(login, organisation):
    invitation = InvitationFactory(token="link", target_id=organisation.pk, max_uses=2)

    statuses = [login(PersonFactory()).post("/api/v1/invitations/link/accept/").status_code for _ in range(3)]

    assert statuses == [200, 200, 404]
    invitation.refresh_from_db()
    assert invitation.use_count == 2
    assert OrganisationMembership.objects.count() == 2


def test_email_invitation_only_for_invited_address(login, organisation):
    InvitationFactory(token="link", target_id=organisation.pk, email="dora@example.org")
    invited = PersonFactory(email="DORA@example.org")

    wrong = login(PersonFactory()).post("/api/v1/invitations/link/accept/")
    right = login(invited).post("/api/v1/invitations/link/accept/")

    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "invitation_for_other_email"
    assert wrong.json()["error"]["message"].startswith(
        "This invitation was sent to a different e-mail address."
    )
    assert right.status_code == 200
    assert list(OrganisationMembership.objects.values_list("person", flat=True)) == [invited.pk]


def test_invitation_accept_never_demotes_a_coordinator(login, organisation, coordinator):
    InvitationFactory(token="link", target_id=organisation.pk, role=Role.VOLUNTEER, requires_approval=True)

    login(coordinator).post("/api/v1/invitations/link/accept/")

    membership = OrganisationMembership.objects.get(person=coordinator)
    assert (membership.role, membership.status) == ("coordinator", "active")


def test_invitation_accept_brings_back_removed_member(login, organisation):
    person = member(organisation, role=Role.COORDINATOR, status=MembershipStatus.REMOVED)
    InvitationFactory(token="link", target_id=organisation.pk, role=Role.VOLUNTEER)

    login(person).post("/api/v1/invitations/link/accept/")

    membership = OrganisationMembership.objects.get(person=person)
    assert (membership.role, membership.status) == ("volunteer", "active")


def test_invitation_accept_needs_login(api, organisation):
    InvitationFactory(token="link", target_id=organisation.pk)

    response = api.post("/api/v1/invitations/link/accept/")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"
    assert OrganisationMembership.objects.count() == 0


def test_registered_target_kind_is_called_with_ids_and_status(login, monkeypatch):
    calls = []
    inviter, invitee = PersonFactory(), PersonFactory()
    monkeypatch.setitem(
        registry._targets,
        "roster",
        registry.InvitationTarget(
            kind="roster",
            can_invite=lambda person, target_id: calls.append(("can_invite", person, target_id)) or True,
            accept=lambda person, invitation, status: calls.append(("accept", person, invitation.pk, status)),
            describe=lambda target_id: {"name": f"Roster {target_id}"},
        ),
    )

    created = (
        login(inviter)
        .post("/api/v1/invitations/", {"target_kind": "roster", "target_id": 77, "requires_approval": True})
        .json()
    )
    preview = login(invitee).get(f"/api/v1/invitations/{created['token']}/").json()
    accepted = login(invitee).post(f"/api/v1/invitations/{created['token']}/accept/").json()

    assert preview["name"] == "Roster 77"
    assert accepted == {"target_kind": "roster", "target_id": 77, "status": "pending"}
    assert calls == [("can_invite", inviter, 77), ("accept", invitee, created["id"], "pending")]
