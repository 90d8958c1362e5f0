"""Conventions every Village API endpoint shares: one error shape, strict input, pagination.

Every 4xx answers ``{"error": {"code": ..., "message": ..., "fields": {...}}}`` so a client
(and the web app) has one place to find a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from django.http import Http404
from django.utils import timezone
from django_filters import IsoDateTimeFilter
from django_filters.fields import IsoDateTimeField
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework import exceptions, pagination, serializers, status
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# One message per DRF error code, in words a person can act on.
_MESSAGES = {
    "not_authenticated": "Please log in first.",
    "authentication_failed": "Your login did not work. Check your e-mail and password.",
    "permission_denied": "You don't have permission to do that.",
    "not_found": "We couldn't find that. It may have been removed, or you may not have access.",
    "method_not_allowed": "That action isn't available here.",
    "throttled": "Too many attempts. Please wait a little and try again.",
    "parse_error": "We couldn't read that request. Please send valid JSON.",
    "unsupported_media_type": "Please send the request as JSON.",
    "invalid": "Some of the details need fixing.",
    "too_large": "That request is too large.",
}


class DomainError(exceptions.APIException):
    """A rule of the domain refused the request (e.g. the shift is full): 4xx with a clear message.

    Services raise it with a stable ``code`` the web app can translate, and an English message.
    """

    status_code: int = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str = "invalid",
        status_code: int = status.HTTP_400_BAD_REQUEST,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}


class Conflict(DomainError):
    """The request was valid but lost against the current state (full shift, taken swap)."""

    def __init__(self, message: str, *, code: str = "conflict", **kwargs: Any) -> None:
        super().__init__(message, code=code, status_code=status.HTTP_409_CONFLICT, **kwargs)


def _flatten_fields(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten_fields(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                fields.update(_flatten_fields(item, f"{prefix}[{index}]"))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return Response(
            error_body("too_large", f"That request is too large. Keep it under {limit_kb} kB."),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF Failed"):
        # DRF's wording means nothing to a person whose page sat open too long; tell them the fix.
        return Response(
            error_body("csrf_failed", "Your page was open too long to be trusted. Reload it and try again."),
            status=status.HTTP_403_FORBIDDEN,
        )
    if isinstance(exc, DomainError):
        response = Response(
            error_body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.status_code
        )
        return response

    handled = drf_exception_handler(exc, context)
    if handled is None:
        return None
    response = handled
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten_fields(exc.detail)
        first = next(iter(fields.items()), None)
        message = _MESSAGES["invalid"]
        if first is not None:
            name, problems = first
            message = problems[0] if name == "non_field_errors" else f"{name}: {problems[0]}"
        response.data = error_body("invalid", message, fields)
        return response
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    code = code if isinstance(code, str) else "error"
    message = _MESSAGES.get(code) or (str(exc.detail) if isinstance(exc, exceptions.APIException) else "")
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait:
        message = f"Too many attempts. Please try again in {int(wait) + 1} seconds."
    response.data = error_body(code, message)
    return response


NOT_FOUND_MESSAGE = _MESSAGES["not_found"]


def not_found() -> DomainError:
    """The one 404 every service raises: "not there" and "not yours" must look alike (privacy)."""
    return DomainError(NOT_FOUND_MESSAGE, code="not_found", status_code=status.HTTP_404_NOT_FOUND)


class Pagination(pagination.LimitOffsetPagination):
    default_limit = 50
    max_limit = 200
    # DRF caps the limit but not the offset, and PostgreSQL refuses an OFFSET past a bigint
    # (a 500, found by `make fuzz-deep`). Far past any list's end, the page is simply empty.
    max_offset = 2**31

    def get_offset(self, request: Any) -> int:
        return min(super().get_offset(request), self.max_offset)


class LeanPagination(Pagination):
    """Same page and shape as ``Pagination``, without the COUNT when the page itself tells it.

    Reads one row past the page: when it is not there, ``count`` is offset + rows on the page,
    which is what COUNT would say; only a full page (or an offset past the end) asks for it.
    """

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list[Any] | None:
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        if len(rows) <= self.limit and (rows or self.offset == 0):
            self.count = self.offset + len(rows)
        else:
            self.count = self.get_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        return rows[: self.limit]


# The lists read all day (a roster's shifts, my commitments) answer through orjson, ~10x faster than
# the json module for a page of 50: their bodies are str keys, strings, numbers and booleans only,
# which both write as the same JSON. Everything else keeps DRF's JSONRenderer, whose encoder also
# turns raw datetimes (with "Z"), lazy strings and non-str keys into JSON the way clients expect.
LIST_RENDERERS = [ORJSONRenderer, BrowsableAPIRenderer]


class CountedPagination(Pagination):
    """Same page and shape as ``Pagination``, for reads that return a page and its count at once
    (``village.compiled.CompiledQuery.page``): ``read(limit=, offset=)`` gives (rows, count)."""

    def paginate_read(self, read: Callable[..., tuple[list[Any], int]], request: Any) -> list[Any]:
        self.request = request
        limit = self.get_limit(request)
        assert limit is not None  # default_limit is set
        self.limit, self.offset = limit, self.get_offset(request)
        rows, self.count = read(limit=self.limit, offset=self.offset)
        return rows


# Every time Village takes in (a shift, a help request, a "since") lies in this century. Outside
# it a time is a typing slip ("0173" for "2026"), and before ~1900 many zones were on local mean
# time, whose offsets have seconds (-04:56:02) that RFC 3339, and so our own answers, cannot write.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)


class AwareDateTimeField(serializers.DateTimeField):
    """Refuses naive datetimes (a time without an offset is a guess about the time zone) and
    times outside ``EARLIEST_TIME``..``LATEST_TIME``."""

    default_error_messages = {
        "naive": "Give the time with its offset or as UTC, e.g. 2026-03-08T17:30:00-05:00.",
        "out_of_range": "Give a time from the year 2000 to 2099.",
    }

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and value:
            # DRF makes naive input aware in the current zone; refuse it instead of guessing.
            from django.utils.dateparse import parse_datetime

            try:
                raw = parse_datetime(value)
            except ValueError:
                raw = None  # not a real date: DRF's own message says so below
            if raw is not None and timezone.is_naive(raw):
                self.fail("naive")
        parsed = super().to_internal_value(value)
        if not EARLIEST_TIME <= parsed < LATEST_TIME:
            self.fail("out_of_range")
        return parsed


class CenturyDateField(serializers.DateField):
    """A local date (a range to generate, fill or show), in the same century as every time."""

    default_error_messages = {"out_of_range": "Give a date from the year 2000 to 2099."}

    def to_internal_value(self, value: Any) -> Any:
        parsed = super().to_internal_value(value)
        if not EARLIEST_TIME.date() <= parsed < LATEST_TIME.date():
            self.fail("out_of_range")
        return parsed


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 query parameter, handed on in UTC.

    Python accepts UTC offsets up to ±23:59 but PostgreSQL only up to ±15:59, so a filter like
    ``?start=2026-03-08T17:30:00+17:00`` reached the database as it was and failed there (500).
    In UTC every valid time works; one that has no UTC equivalent (year 1 at +05:00) is a 400.
    """

    def to_python(self, value: Any) -> datetime | None:
        parsed: datetime | None = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError as exc:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from exc


class UTCIsoDateTimeFilter(IsoDateTimeFilter):
    """Use instead of django-filter's ``IsoDateTimeFilter`` (see ``UTCIsoDateTimeField``)."""

    field_class = UTCIsoDateTimeField


class StrictMixin:
    """Unknown fields are an error, not silently ignored: a typo must not lose what was meant."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}  # type: ignore[attr-defined]
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["This field is not recognised."] for name in unknown}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class InputSerializer(StrictMixin, serializers.Serializer):
    """Base for request bodies: strict about unknown fields, times must carry an offset."""

    serializer_field_mapping: dict[type, type] = {}

    def create(self, validated_data: Any) -> Any:  # serializers never save (STYLE.md)
        raise NotImplementedError

    def update(self, instance: Any, validated_data: Any) -> Any:
        raise NotImplementedError


class OutputModelSerializer(serializers.ModelSerializer):
    """Base for responses built from models."""

    def create(self, validated_data: Any) -> Model:
        raise NotImplementedError

    def update(self, instance: Model, validated_data: Any) -> Model:
        raise NotImplementedError
