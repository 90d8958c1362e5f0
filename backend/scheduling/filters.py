"""Query-string filters for the engine's lists, and the OpenAPI parameters that document them.

The views are plain ``APIView``s (one selector each), so drf-spectacular cannot find these
FilterSets on its own; ``filter_parameters`` derives the documented parameters from the FilterSet
itself, so the schema and what the view accepts cannot drift apart.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.request import Request

from scheduling.models import Roster, Shift, Signup, SwapOffer
from village.api import DomainError, UTCIsoDateTimeFilter


def filtered(
    request: Request, filterset: type[django_filters.FilterSet], queryset: QuerySet[Any]
) -> QuerySet[Any]:
    """The queryset narrowed by the query string; a bad value is a 400 naming the parameter."""
    form = filterset(data=request.query_params, queryset=queryset, request=request)
    if not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    return form.qs


def filter_values(filterset: type[django_filters.FilterSet], query_params: Any) -> dict[str, Any]:
    """What ``filterset(query_params).form.cleaned_data`` holds, without building the FilterSet,
    a copy of its filters and a new form class for every request (a list's hottest path): the
    same widgets and form fields read and clean each parameter. A bad value is the view's 400,
    with the form's own messages under the parameter's name."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, spec in filterset.base_filters.items():
        field = spec.field  # built once, on the class's filter
        try:
            cleaned[name] = field.clean(field.widget.value_from_datadict(query_params, {}, name))
        except DjangoValidationError as exc:
            errors[name] = list(exc.messages)
    if errors:
        raise DomainError("Some filters need fixing.", fields=errors)
    return cleaned


def filter_parameters(filterset: type[django_filters.FilterSet]) -> list[OpenApiParameter]:
    """One documented query parameter per filter: its type, its choices, its label."""
    parameters = []
    for name, spec in filterset.base_filters.items():
        kind: Any = OpenApiTypes.STR
        enum = None
        if isinstance(spec, django_filters.BooleanFilter):
            kind = OpenApiTypes.BOOL
        elif isinstance(spec, django_filters.NumberFilter):
            kind = OpenApiTypes.INT
        elif isinstance(spec, django_filters.IsoDateTimeFilter):
            kind = OpenApiTypes.DATETIME
        elif isinstance(spec, django_filters.ChoiceFilter):
            enum = [value for value, _label in spec.extra["choices"]]
        parameters.append(OpenApiParameter(name, kind, enum=enum, description=str(spec.label or "")))
    return parameters


class ShiftFilter(django_filters.FilterSet):
    start = UTCIsoDateTimeFilter(
        field_name="ends_at",
        lookup_expr="gt",
        label="Only shifts ending after this time (ISO 8601 with offset).",
    )
    end = UTCIsoDateTimeFilter(
        field_name="starts_at", lookup_expr="lt", label="Only shifts starting before this time."
    )
    open = django_filters.BooleanFilter(
        method="filter_open", label="Only shifts I could still claim a place on."
    )

    class Meta:
        model = Shift
        fields = ["start", "end", "open"]

    def filter_open(self, queryset: QuerySet[Shift], name: str, value: bool) -> QuerySet[Shift]:
        # The view already chose open_shifts() when open=true; nothing more to do here.
        return queryset


class RosterFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        choices=Roster.Kind.choices, label="Only an organisation's duty rosters, or only care circles."
    )
    # A plain number, not a ModelChoiceFilter: that would look the organisation up (one more query)
    # only to learn what the roster rows already say.
    organisation = django_filters.NumberFilter(
        field_name="organisation_id", label="Only rosters of this organisation (its id)."
    )

    class Meta:
        model = Roster
        fields = ["kind", "organisation"]


class SwapFilter(django_filters.FilterSet):
    shift = django_filters.NumberFilter(
        field_name="signup__shift_id", label="Only swaps on this shift (its id)."
    )
    start = UTCIsoDateTimeFilter(
        field_name="signup__shift__ends_at",
        lookup_expr="gt",
        label="Only swaps on shifts ending after this time.",
    )
    end = UTCIsoDateTimeFilter(
        field_name="signup__shift__starts_at",
        lookup_expr="lt",
        label="Only swaps on shifts starting before this time.",
    )

    class Meta:
        model = SwapOffer
        fields = ["shift", "start", "end"]


class SignupFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Signup.Status.choices,
        label="Only sign-ups in this state (volunteers see confirmed places only, whatever they ask).",
    )

    class Meta:
        model = Signup
        fields = ["status"]
