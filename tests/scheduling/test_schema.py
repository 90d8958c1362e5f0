"""The scheduling endpoints describe themselves in the OpenAPI schema, without guesswork."""

from __future__ import annotations

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator


def test_schema_scheduling_endpoints_are_described():
    GENERATOR_STATS.reset()
    GENERATOR_STATS.enable_trace_lineno()
    schema = SchemaGenerator(urlconf="scheduling.urls").get_schema(request=None, public=True)

    assert dict(GENERATOR_STATS._warn_cache) == {}
    assert dict(GENERATOR_STATS._error_cache) == {}
    claim = schema["paths"]["/shifts/{shift_id}/signups/"]["post"]
    assert claim["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ClaimInputRequest"
    }
    assert set(schema["paths"]) >= {"/rosters/", "/me/commitments/", "/swaps/{swap_id}/accept/"}


def test_schema_shift_update_documents_both_answers():
    # One shift for scope=this, {count, results} for following/all: found by `make fuzz-deep`,
    # when the schema promised a single shift for every scope.
    schema = SchemaGenerator(urlconf="scheduling.urls").get_schema(request=None, public=True)

    answer = schema["paths"]["/shifts/{shift_id}/"]["patch"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ShiftUpdateOutput"
    }
    assert schema["components"]["schemas"]["ShiftUpdateOutput"] == {
        "oneOf": [
            {"$ref": "#/components/schemas/ShiftOutput"},
            {"$ref": "#/components/schemas/ShiftSeriesUpdateOutput"},
        ]
    }
    series = schema["components"]["schemas"]["ShiftSeriesUpdateOutput"]
    assert series["required"] == ["count", "results"]
    assert series["properties"]["results"]["items"] == {"$ref": "#/components/schemas/ShiftOutput"}
