"""Who may use each accounts endpoint: anonymous, a stranger, a volunteer, a coordinator.

A stranger must not learn that an organisation or invitation exists (404, same as a missing
one); a member who already knows it gets 403 for what only coordinators may do.
"""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.accounts.factories import InvitationFactory, member
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "stranger", "volunteer", "coordinator"]

# method, path, body, expected status for (anonymous, stranger, volunteer, coordinator)
CASES = [
    ("get", "/api/v1/me/", None, (403, 200, 200, 200)),
    ("patch", "/api/v1/me/", {"name": "Renamed"}, (403, 200, 200, 200)),
    ("post", "/api/v1/me/password/", {"current_password": "x", "new_password": "y"}, (403, 400, 400, 400)),
    ("get", "/api/v1/organisations/", None, (403, 200, 200, 200)),
    ("post", "/api/v1/organisations/", {"name": "New one"}, (403, 201, 201, 201)),
    ("get", "/api/v1/organisations/{org}/", None, (403, 404, 200, 200)),
    ("patch", "/api/v1/organisations/{org}/", {"name": "Renamed"}, (403, 404, 403, 200)),
    ("get", "/api/v1/organisations/{org}/members/", None, (403, 404, 403, 200)),
    (
        "patch",
        "/api/v1/organisations/{org}/members/{subject}/",
        {"role": "coordinator"},
        (403, 404, 403, 200),
    ),
    ("delete", "/api/v1/organisations/{org}/members/{subject}/", None, (403, 404, 403, 204)),
    (
        "post",
        "/api/v1/invitations/",
        {"target_kind": "organisation", "target_id": "{org}"},
        (403, 404, 404, 201),
    ),
    ("get", "/api/v1/invitations/?target_kind=organisation&target_id={org}", None, (403, 404, 404, 200)),
    ("post", "/api/v1/invitations/{invitation}/revoke/", None, (403, 404, 404, 200)),
    ("get", "/api/v1/invitations/{token}/", None, (200, 200, 200, 200)),
    ("post", "/api/v1/invitations/{token}/accept/", None, (403, 200, 200, 200)),
    ("get", "/api/v1/auth/csrf/", None, (200, 200, 200, 200)),
    ("post", "/api/v1/auth/logout/", None, (204, 204, 204, 204)),
    ("post", "/api/v1/auth/password-reset/", {"email": "someone@example.org"}, (202, 202, 202, 202)),
]


@pytest.fixture
def world():
    organisation = OrganisationFactory()
    people = {
        "stranger": PersonFactory(),
        "volunteer": member(organisation),
        "coordinator": member(organisation, role=Role.COORDINATOR),
    }
    subject = member(organisation)
    invitation = InvitationFactory(token="perm-token", target_id=organisation.pk)
    values = {
        "org": organisation.pk,
        "subject": subject.pk,
        "invitation": invitation.pk,
        "token": "perm-token",
    }
    return people, values


def _fill(value, values):
    if isinstance(value, str):
        filled = value.format(**values)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "path", "body", "expected"), CASES, ids=[f"{c[0]} {c[1]}" for c in CASES])
def test_endpoint_answers_each_actor(api, login, world, actor, method, path, body, expected):
    people, values = world
    client = api if actor == "anonymous" else login(people[actor])

    response = getattr(client, method)(_fill(path, values), _fill(body, values))

    assert response.status_code == expected[ACTORS.index(actor)]
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
        assert set(response.json()["error"]) >= {"code", "message", "fields"}
    if response.status_code == 404:
        # Same answer as for something that doesn't exist at all: existence doesn't leak.
        gone = {**values, "org": 999999, "invitation": 999999}
        missing = getattr(client, method)(_fill(path, gone), _fill(body, gone))
        assert response.json() == missing.json()
    if actor == "anonymous" and response.status_code == 403:
        assert response.json()["error"]["code"] == "not_authenticated"
