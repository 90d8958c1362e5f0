"""Who may do what, for every /api/v1/ route: generated from the URL configuration.

Each method of each route is called as anonymous, a stranger (logged in, no memberships), a
volunteer (member of the circle and of the organisation), the circle's coordinator and the
organisation's coordinator, in one seeded world (tests/village/world.py). Every call runs in a
savepoint that is rolled back, so a DELETE never changes what the next call sees.

A route added to the URL configuration without a row here fails the test: decide who may use it.

Expected answers per role, in ROLES order: ``ok`` any 2xx; ``bad`` 400 or 409 (let in, but the
empty body or the current state was refused: permissions passed); ``403`` known to exist but not
allowed; ``404`` not visible at all (privacy: a circle you were not invited to does not exist for you).
Write calls send an empty JSON object.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from tests.village.matrix import api_operations, fill
from tests.village.world import ROLES, SECRETS, build_world

#  anonymous, stranger, volunteer, circle coordinator, organisation coordinator
EXPECTED = {
    "GET auth/csrf/": "ok ok ok ok ok",
    "POST auth/signup/": "bad bad bad bad bad",
    "POST auth/login/": "bad bad bad bad bad",
    "POST auth/logout/": "ok ok ok ok ok",
    "POST auth/token/": "bad bad bad bad bad",
    "POST auth/password-reset/": "bad bad bad bad bad",
    "POST auth/password-reset/confirm/": "bad bad bad bad bad",
    "GET me/": "403 ok ok ok ok",
    "PATCH me/": "403 ok ok ok ok",
    "POST me/password/": "403 bad bad bad bad",
    "GET organisations/": "403 ok ok ok ok",
    "POST organisations/": "403 bad bad bad bad",
    "GET organisations/<int:organisation_id>/": "403 404 ok 404 ok",
    "PATCH organisations/<int:organisation_id>/": "403 404 403 404 ok",
    "GET organisations/<int:organisation_id>/members/": "403 404 403 404 ok",
    "PATCH organisations/<int:organisation_id>/members/<int:person_id>/": "403 404 403 404 bad",
    "DELETE organisations/<int:organisation_id>/members/<int:person_id>/": "403 404 403 404 ok",
    "GET invitations/": "403 bad bad bad bad",
    "POST invitations/": "403 bad bad bad bad",
    "POST invitations/<int:invitation_id>/revoke/": "403 404 404 404 ok",
    "GET invitations/<str:token>/": "ok ok ok ok ok",
    "POST invitations/<str:token>/accept/": "403 ok ok ok ok",
    "GET circles/": "403 ok ok ok ok",
    "POST circles/": "403 bad bad bad bad",
    "GET circles/<int:circle_id>/": "404 404 ok ok ok",
    "PATCH circles/<int:circle_id>/": "404 404 403 ok ok",
    "DELETE circles/<int:circle_id>/": "404 404 403 bad bad",
    "POST circles/<int:circle_id>/pause/": "404 404 403 ok ok",
    "POST circles/<int:circle_id>/resume/": "404 404 403 ok ok",
    "POST circles/<int:circle_id>/close/": "404 404 403 ok ok",
    "GET circles/<int:circle_id>/members/": "404 404 ok ok ok",
    "PATCH circles/<int:circle_id>/members/<int:person_id>/": "404 404 403 bad bad",
    "DELETE circles/<int:circle_id>/members/<int:person_id>/": "404 404 403 ok ok",
    "GET circles/<int:circle_id>/childcare-approvals/": "404 404 403 ok ok",
    "POST circles/<int:circle_id>/childcare-approvals/": "404 404 403 bad bad",
    "DELETE circles/<int:circle_id>/childcare-approvals/<int:person_id>/": "404 404 403 404 404",
    "GET circles/<int:circle_id>/address-reads/": "404 404 403 ok ok",
    "GET circles/<int:circle_id>/audit/": "404 404 403 ok ok",
    "GET circles/<int:circle_id>/export/": "404 404 403 ok ok",
    "GET circles/<int:circle_id>/requests/": "403 404 ok ok ok",
    "POST circles/<int:circle_id>/requests/": "403 404 bad bad bad",
    "POST circles/<int:circle_id>/requests/series/": "403 404 bad bad bad",
    "GET circles/<int:circle_id>/dishes/": "403 404 ok ok ok",
    "GET requests/<int:request_id>/": "403 404 ok ok ok",
    "PATCH requests/<int:request_id>/": "403 404 403 ok ok",
    "DELETE requests/<int:request_id>/": "403 404 403 ok ok",
    "POST requests/<int:request_id>/claim/": "403 404 bad ok ok",
    "POST requests/<int:request_id>/received/": "403 404 403 ok ok",
    "POST signups/<int:signup_id>/thanks/": "403 404 bad bad bad",
    "GET rosters/": "403 ok ok ok ok",
    "POST rosters/": "403 bad bad bad bad",
    "GET rosters/<int:roster_id>/": "403 404 ok 404 ok",
    "PATCH rosters/<int:roster_id>/": "403 404 403 404 ok",
    "GET rosters/<int:roster_id>/shifts/": "403 404 ok 404 ok",
    "POST rosters/<int:roster_id>/shifts/": "403 404 403 404 bad",
    "GET rosters/<int:roster_id>/swaps/": "403 404 ok 404 ok",
    "POST rosters/<int:roster_id>/series/": "403 404 bad 404 bad",
    "GET rosters/<int:roster_id>/failed-notifications/": "403 404 403 404 ok",
    "GET shifts/<int:shift_id>/": "403 404 ok 404 ok",
    "PATCH shifts/<int:shift_id>/": "403 404 403 404 ok",
    "DELETE shifts/<int:shift_id>/": "403 404 403 404 ok",
    "GET shifts/<int:shift_id>/signups/": "403 404 ok 404 ok",
    "POST shifts/<int:shift_id>/signups/": "403 404 bad 404 ok",
    "POST shifts/<int:shift_id>/assign/": "403 404 bad 404 bad",
    "GET signups/<int:signup_id>/": "403 404 ok 404 ok",
    "POST signups/<int:signup_id>/cancel/": "403 404 ok 404 ok",
    "POST signups/<int:signup_id>/decline-cancel/": "403 404 403 404 bad",
    "POST signups/<int:signup_id>/accept-offer/": "403 404 bad 404 404",
    "POST signups/<int:signup_id>/decline-offer/": "403 404 bad 404 404",
    "POST signups/<int:signup_id>/swap/": "403 404 ok 404 404",
    "POST signups/<int:signup_id>/complete/": "403 404 403 404 bad",
    "POST signups/<int:signup_id>/no-show/": "403 404 403 404 bad",
    "POST signups/<int:signup_id>/accept-swap/": "403 404 bad 404 ok",
    "POST swaps/<int:swap_id>/accept/": "403 404 bad 404 ok",
    "POST swaps/<int:swap_id>/withdraw/": "403 404 ok 404 ok",
    "GET me/commitments/": "403 ok ok ok ok",
    "GET me/gaps/": "403 ok ok ok ok",
    "GET rosters/<int:roster_id>/templates/": "403 404 403 404 ok",
    "POST rosters/<int:roster_id>/templates/": "403 404 403 404 bad",
    "GET rosters/<int:roster_id>/templates/<int:template_id>/": "403 404 403 404 ok",
    "PATCH rosters/<int:roster_id>/templates/<int:template_id>/": "403 404 403 404 ok",
    "DELETE rosters/<int:roster_id>/templates/<int:template_id>/": "403 404 403 404 ok",
    "POST rosters/<int:roster_id>/generate/": "403 404 403 404 bad",
    "GET rosters/<int:roster_id>/coverage/": "403 404 403 404 ok",
    "POST rosters/<int:roster_id>/autofill/": "403 404 403 404 bad",
    "GET autofill/<int:proposal_id>/": "403 404 403 404 ok",
    "DELETE autofill/<int:proposal_id>/assignments/<int:assignment_id>/": "403 404 403 404 ok",
    "POST autofill/<int:proposal_id>/accept/": "403 404 403 404 ok",
    "GET qualifications/": "403 ok ok ok ok",
    "POST qualifications/": "403 bad bad bad bad",
    "GET qualifications/<int:qualification_id>/grants/": "403 404 403 404 ok",
    "POST qualifications/<int:qualification_id>/grants/": "403 404 403 404 bad",
    "DELETE qualifications/<int:qualification_id>/grants/<int:grant_id>/": "403 404 403 404 ok",
    "GET me/availability/": "403 ok ok ok ok",
    "PUT me/availability/": "403 bad bad bad bad",
    "GET me/availability/exceptions/": "403 ok ok ok ok",
    "POST me/availability/exceptions/": "403 bad bad bad bad",
    "GET me/availability/exceptions/<int:exception_id>/": "403 404 ok 404 404",
    "PATCH me/availability/exceptions/<int:exception_id>/": "403 404 ok 404 404",
    "DELETE me/availability/exceptions/<int:exception_id>/": "403 404 ok 404 404",
    "GET me/limits/": "403 ok ok ok ok",
    "PUT me/limits/": "403 ok ok ok ok",
    "GET me/feeds/": "403 ok ok ok ok",
    "POST me/feeds/rotate/": "403 ok ok ok ok",
    "POST me/feeds/revoke/": "403 ok ok ok ok",
    "GET circles/<int:circle_id>/feed/": "403 404 403 ok ok",
    "POST circles/<int:circle_id>/feed/rotate/": "403 404 403 ok ok",
    "POST circles/<int:circle_id>/feed/revoke/": "403 404 403 ok ok",
    "GET rosters/<int:roster_id>/feed/": "403 404 403 404 ok",
    "POST rosters/<int:roster_id>/feed/rotate/": "403 404 403 404 ok",
    "POST rosters/<int:roster_id>/feed/revoke/": "403 404 403 404 ok",
    "GET signups/<int:signup_id>/ics/": "403 404 ok 404 ok",
    "GET notifications/": "403 ok ok ok ok",
    "GET notifications/unread-count/": "403 ok ok ok ok",
    "POST notifications/read-all/": "403 ok ok ok ok",
    "POST notifications/<int:pk>/read/": "403 404 ok 404 404",
    "GET me/notification-preferences/": "403 ok ok ok ok",
    "PATCH me/notification-preferences/": "403 ok ok ok ok",
    "GET unsubscribe/<str:token>/": "ok ok ok ok ok",
    "POST unsubscribe/<str:token>/": "ok ok ok ok ok",
}


def _status_class(status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    if status in (400, 409):
        return "bad"
    return str(status)


def test_permission_matrix_has_a_row_for_every_api_route():
    operations = api_operations()
    assert len(operations) == len(set(operations))
    missing = sorted(set(operations) - set(EXPECTED))
    gone = sorted(set(EXPECTED) - set(operations))
    assert (missing, gone) == ([], [])


# What each role must never be shown, anywhere. Outsiders: nothing of the circle at all. The
# circle's volunteer holds a place three days out, outside the address window (48 h), so the
# household's address and phone stay hidden from them; what the help needs (likes, allergies,
# drop-off) is theirs to see.
_PRIVATE_FROM = {
    "anonymous": tuple(SECRETS),
    "stranger": tuple(SECRETS),
    "volunteer": ("address", "phone"),
}


@pytest.mark.django_db
def test_permission_matrix_every_route_method_and_role():
    world = build_world()
    mismatches = []
    leaks = []
    for operation in api_operations():
        method, route = operation.split(" ", 1)
        expected = EXPECTED.get(operation, "").split()
        for index, role in enumerate(ROLES):
            with transaction.atomic():
                # Rate limits (login, password reset) count in the cache, outside the rollback.
                cache.clear()
                client = APIClient()
                if method == "GET":
                    response = client.get(fill(route, world), **world.headers(role))
                else:
                    call = getattr(client, method.lower())
                    response = call(fill(route, world), {}, format="json", **world.headers(role))
                transaction.set_rollback(True)
            got = _status_class(response.status_code)
            if got != (expected[index] if index < len(expected) else "?"):
                mismatches.append(f"{operation} as {role}: {response.status_code}, expected {expected}")
            assert response.status_code < 500, (operation, role, response.content[:500])
            private = _PRIVATE_FROM.get(role, ())
            found = sorted(name for name in private if SECRETS[name].encode() in response.content)
            if found:
                leaks.append(f"{operation} as {role} shows the circle's {', '.join(found)}")
    assert mismatches == []
    assert leaks == []


@pytest.mark.django_db
def test_permission_matrix_sees_a_leak_when_there_is_one():
    """The byte search above is live: the circle's own coordinator does get the private values."""
    world = build_world()
    client = APIClient()
    response = client.get(fill("circles/<int:circle_id>/", world), **world.headers("circle_coordinator"))

    assert response.status_code == 200
    assert sorted(name for name, value in SECRETS.items() if value.encode() in response.content) == sorted(
        SECRETS
    )
