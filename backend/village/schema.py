"""OpenAPI schema generation: every operation documents the error answers it can give.

drf-spectacular documents only the success answer of a view. Clients (the web app, partner
apps, schemathesis in tests/village/test_fuzz.py) need the 4xx answers too, all of which share
``village.api.error_body``'s shape, so they are added here once instead of on every view.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.drainage import has_override
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import append_meta
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorDetailOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code the web app translates, e.g. invalid, not_found")
    message = serializers.CharField(help_text="A sentence a person can act on")
    # DRF's metaclass takes declared fields off the class, so this does not shadow `.fields`.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Problems per input field (dotted path for nested fields)",
    )


class ErrorOutput(serializers.Serializer):
    error = ErrorDetailOutput()


_DESCRIPTIONS = {
    "400": "The request needs fixing (error.fields says where).",
    "403": "Not logged in, or not allowed to do this to something you can see.",
    "404": "Not found, or not visible to you (a circle you were not invited to does not exist for you).",
    "409": "Valid, but lost against the current state (full shift, taken swap, already done).",
    "413": "The request body is too large.",
    "415": "The body is not JSON.",
    "429": "Too many attempts; wait and try again.",
}


# A TimeField is a wall-clock time in the circle's or roster's zone ("18:30:00"), never with an
# offset. OpenAPI's format "time" is RFC 3339 full-time, which requires one; "partial-time" is
# RFC 3339's name for what is actually sent.
_LOCAL_TIME = {
    "type": "string",
    "format": "partial-time",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "example": "18:30:00",
}


class VillageAutoSchema(AutoSchema):
    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False) -> Any:
        if isinstance(field, serializers.TimeField) and not has_override(field, "field"):
            return append_meta(dict(_LOCAL_TIME), self._get_serializer_field_meta(field, direction))
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _error_codes(self) -> list[str]:
        codes = ["400", "403", "404"]
        if self.method in _UNSAFE:
            codes += ["409", "413", "415"]
        if getattr(self.view, "throttle_classes", None):
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorOutput, description=_DESCRIPTIONS[code]), code, direction=direction
                )
        return responses
