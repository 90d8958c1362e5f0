"""The OpenAPI schema describes every endpoint without guesswork.

drf-spectacular guesses when a view is not annotated and says so through warnings and errors
(``drf_spectacular.drainage.GENERATOR_STATS``). A guess is usually wrong (a view left out, a list
documented as one object), so any warning fails here: a new endpoint must be described.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

_METHODS = {"get", "post", "put", "patch", "delete"}


def _generate(**kwargs: Any) -> tuple[dict[str, Any], list[str], list[str]]:
    """The schema plus the warnings and errors emitted while generating it."""
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator(**kwargs).get_schema(request=None, public=True)
    warnings, errors = list(GENERATOR_STATS._warn_cache), list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return schema, warnings, errors


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated, warnings, errors = _generate()
    assert (warnings, errors) == ([], [])
    return generated


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (route, method, operation)
        for route, item in schema["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    ]


def test_schema_generates_without_warnings_or_errors_and_validates(schema):
    validate_schema(schema)
    assert len(_operations(schema)) > 100


class _Unannotated(APIView):
    def get(self, request: Request) -> Response:
        return Response({"guess": "me"})


def test_schema_check_catches_an_unannotated_view():
    """The capture above is live: a bare APIView (no serializer, no extend_schema) is reported."""
    _, warnings, errors = _generate(patterns=[path("api/v1/guess/", _Unannotated.as_view())])

    assert len(warnings) + len(errors) == 1
    assert "unable to guess serializer" in (warnings + errors)[0]


def test_schema_every_list_endpoint_is_paginated(schema):
    components = schema["components"]["schemas"]
    lists = []
    for route, method, operation in _operations(schema):
        if method != "get":
            continue
        body = operation["responses"]["200"].get("content", {}).get("application/json", {})
        reference = body.get("schema", {}).get("$ref", "")
        assert body.get("schema", {}).get("type") != "array", f"{route} is a bare list, not paginated"
        if not reference.split("/")[-1].startswith("Paginated"):
            continue
        page = components[reference.split("/")[-1]]
        assert set(page["properties"]) == {"count", "next", "previous", "results"}, route
        parameters = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        assert {"limit", "offset"} <= parameters, route
        lists.append(route)
    assert {
        "/api/v1/circles/",
        "/api/v1/circles/{circle_id}/requests/",
        "/api/v1/notifications/",
        "/api/v1/rosters/",
        "/api/v1/shifts/{shift_id}/signups/",
        "/api/v1/me/commitments/",
    } <= set(lists)


def test_schema_every_operation_documents_its_error_answers(schema):
    for route, method, operation in _operations(schema):
        expected = {"400", "403", "404"} | ({"409"} if method != "get" else set())
        assert expected <= set(operation["responses"]), (method, route)
        for code in expected:
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorOutput"}, (method, route, code)
