"""Schema fuzzing: every operation in the OpenAPI schema, as every role, never answers 5xx and
always answers what the schema documents (status code and body).

Schemathesis generates requests from the schema served at /api/schema/ and sends them straight
into the WSGI application. Path ids come from a seeded world (tests/village/world.py) so the
requests reach real objects instead of stopping at 404. Each generated request runs inside a
savepoint that is rolled back, so one example's DELETE never changes what the next one sees.

Bounded for CI: few examples per operation and role, a fixed seed (derandomize), no deadline;
`make fuzz-deep` looks further.
PostgreSQL only (marker): the SQLite pass already runs the permission matrix over every route.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from tests.village.world import ROLES, World, build_world
from village.wsgi import application

pytestmark = pytest.mark.postgres

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# `make fuzz-deep` (VILLAGE_FUZZ_DEEP=1): five times the examples and a fresh seed each run, to
# look further than CI's fixed few; it found the year-173 help request (see AwareDateTimeField).
DEEP = os.environ.get("VILLAGE_FUZZ_DEEP") == "1"
# Negative examples (input the schema forbids) must be refused with a documented 4xx.
EXAMPLES = (
    {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 6}
    if DEEP
    else {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 1}
)

# Paths whose id must point at a different object than the default for that parameter name.
_OVERRIDES = {
    "/api/v1/signups/{signup_id}/thanks/": lambda w: {"signup_id": w.circle_signup.pk},
    "/api/v1/signups/{signup_id}/accept-swap/": lambda w: {"signup_id": w.swap.signup_id},
    "/api/v1/unsubscribe/{token}/": lambda w: {"token": w.unsubscribe},
}


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Keep the test's database connection (and its transaction) across WSGI requests.

    Django's real WSGI handler closes "old" connections around each request, which inside a test
    transaction means closing it; Django's own test client disconnects the same signal handler.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _path_parameters(world: World, path: str, names: list[str]) -> dict[str, Any]:
    ids = {**world.ids, **_OVERRIDES.get(path, lambda w: {})(world)}
    return {name: ids[name] for name in names}


def _fuzz(world: World, operation: Any, mode: GenerationMode) -> list[str]:
    """Generate a few requests for the operation and send each one as every role."""
    names = [p.name for p in operation.path_parameters]
    strategy = operation.as_strategy(mode, path_parameters=_path_parameters(world, operation.path, names))
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=not DEEP,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        for role in ROLES:
            token = world.tokens.get(role)
            headers = {"Authorization": f"Token {token}"} if token else {}
            with transaction.atomic():
                # Rate limits count in the cache, outside the rollback.
                cache.clear()
                try:
                    case.call_and_validate(checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:  # collect them all, not just the first
                    failures.append(f"{operation.method.upper()} {operation.path} as {role} ({mode}): {exc}")
                finally:
                    transaction.set_rollback(True)

    run()
    return failures


@pytest.mark.django_db
def test_fuzz_every_operation_as_every_role_answers_as_documented(in_process_requests):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    world = build_world()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100
    failures = []
    for operation in operations:
        for mode in EXAMPLES:
            # With its path ids fixed, an operation without a body or query has nothing to make
            # invalid, and Hypothesis would search forever for a negative example.
            if mode is GenerationMode.NEGATIVE and not (operation.body or list(operation.query)):
                continue
            failures += _fuzz(world, operation, mode)
    assert failures == [], "\n\n".join(failures)
