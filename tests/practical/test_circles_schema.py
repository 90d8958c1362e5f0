"""The circle endpoints describe themselves in the OpenAPI schema, without guesswork."""

from __future__ import annotations

from django.urls import URLPattern
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from practical import urls


def test_circles_schema_describes_every_endpoint():
    GENERATOR_STATS.reset()
    # Only the circle routes (help requests describe their own).
    patterns = [p for p in urls.urlpatterns if isinstance(p, URLPattern)]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)

    assert dict(GENERATOR_STATS._error_cache) == {}
    # Circle.Status and MembershipStatus are both called "status"; only an ENUM_NAME_OVERRIDES
    # entry in settings names them apart, which is cosmetic for clients.
    warnings = [w for w in GENERATOR_STATS._warn_cache if "enum naming encountered" not in w]
    assert warnings == []
    paths = schema["paths"]
    assert sorted(paths) == [
        "/circles/",
        "/circles/{circle_id}/",
        "/circles/{circle_id}/address-reads/",
        "/circles/{circle_id}/audit/",
        "/circles/{circle_id}/childcare-approvals/",
        "/circles/{circle_id}/childcare-approvals/{person_id}/",
        "/circles/{circle_id}/close/",
        "/circles/{circle_id}/export/",
        "/circles/{circle_id}/members/",
        "/circles/{circle_id}/members/{person_id}/",
        "/circles/{circle_id}/pause/",
        "/circles/{circle_id}/resume/",
    ]
    ref = {"$ref": "#/components/schemas/PaginatedCircleSummaryOutputList"}
    assert paths["/circles/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == ref
    create = paths["/circles/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create == {"$ref": "#/components/schemas/CircleCreateInputRequest"}
    assert {"allergies", "children", "delivery_window_start"} <= set(
        schema["components"]["schemas"]["CircleCreateInputRequest"]["properties"]
    )
