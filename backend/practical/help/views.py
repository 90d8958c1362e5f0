"""Help request endpoints: thin — parse, one service or selector, serialize.

Anyone without a role in the circle gets 404 (they may not learn that it exists); members who
may see a request but not change it get 403.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Person
from practical.help import selectors, services
from practical.help.serializers import (
    HelpClaimInput,
    HelpClaimOutput,
    HelpDishFilter,
    HelpDishOutput,
    HelpRequestCreateInput,
    HelpRequestDetailOutput,
    HelpRequestFilter,
    HelpRequestOutput,
    HelpRequestSeriesInput,
    HelpRequestUpdateInput,
    HelpSeriesOutput,
    HelpThanksInput,
    HelpThanksOutput,
    claim_data,
    help_request_detail_data,
)
from practical.models import HelpRequest
from practical.selectors import address_visible_to, circle_get_for
from practical.services import address_read_record
from scheduling.eligibility import claim_refusal
from scheduling.models import Shift
from village.api import Pagination

_WINDOW = [
    OpenApiParameter("start", OpenApiTypes.DATETIME, description="Only what ends after this moment"),
    OpenApiParameter("end", OpenApiTypes.DATETIME, description="Only what starts before this moment"),
]
_REQUEST_FILTERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, enum=[k.value for k in HelpRequest.Kind]),
    OpenApiParameter("open", OpenApiTypes.BOOL, description="Only requests that still need someone"),
    *_WINDOW,
]


def _me(request: Request) -> Person:
    # IsAuthenticated (the default permission) has already turned anonymous callers away.
    return cast(Person, request.user)


def _paginate(request: Request, view: APIView, queryset: Any, serializer: Any, **context: Any) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer(page, many=True, context=context).data
    return paginator.get_paginated_response(data)


def _detail(request: Request, help_request_id: int) -> dict[str, Any]:
    help_request, role = selectors.help_request_get_for(request_id=help_request_id, person=_me(request))
    return _detail_data(request, help_request, role)


def _detail_data(request: Request, help_request: Any, role: str) -> dict[str, Any]:
    person = _me(request)
    circle = help_request.circle
    show_address = address_visible_to(circle=circle, person=person)
    if show_address and role == "volunteer":
        # Every showing is recorded so the family can see who was given their address.
        address_read_record(circle=circle, person=person, via="request")
    signups = list(selectors.help_request_signups(help_request=help_request)) if role == "coordinator" else []
    mine = selectors.my_signup(help_request=help_request, person=person)
    refusal = None
    if mine is None and help_request.shift.status == Shift.Status.SCHEDULED:
        refusal = claim_refusal(shift=help_request.shift, person=person)
    return help_request_detail_data(
        help_request,
        role=role,
        signups=signups,
        mine=mine,
        show_address=show_address,
        claim_refusal=refusal,
    )


class CircleRequestsView(APIView):
    filterset_class = HelpRequestFilter
    pagination_class = Pagination

    @extend_schema(parameters=_REQUEST_FILTERS, responses=HelpRequestOutput(many=True))
    def get(self, request: Request, circle_id: int) -> Response:
        circle, role = circle_get_for(circle_id=circle_id, person=_me(request))
        queryset = selectors.help_requests_for(circle=circle, person=_me(request), role=role)
        filterset = HelpRequestFilter(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return _paginate(request, self, filterset.qs, HelpRequestOutput)

    @extend_schema(request=HelpRequestCreateInput, responses={201: HelpRequestDetailOutput})
    def post(self, request: Request, circle_id: int) -> Response:
        circle, role = circle_get_for(circle_id=circle_id, person=_me(request))
        data = HelpRequestCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        help_request = services.help_request_create(circle=circle, actor=_me(request), **data.validated_data)
        return Response(_detail_data(request, help_request, role), status=status.HTTP_201_CREATED)


class CircleRequestSeriesView(APIView):
    @extend_schema(request=HelpRequestSeriesInput, responses={201: HelpSeriesOutput})
    def post(self, request: Request, circle_id: int) -> Response:
        circle, _role = circle_get_for(circle_id=circle_id, person=_me(request))
        data = HelpRequestSeriesInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.help_request_series_create(
            circle=circle, actor=_me(request), **data.validated_data
        )
        return Response(
            {"count": len(created), "results": HelpRequestOutput(created, many=True).data},
            status=status.HTTP_201_CREATED,
        )


class HelpRequestDetailView(APIView):
    @extend_schema(responses=HelpRequestDetailOutput)
    def get(self, request: Request, request_id: int) -> Response:
        return Response(_detail(request, request_id))

    @extend_schema(request=HelpRequestUpdateInput, responses=HelpRequestDetailOutput)
    def patch(self, request: Request, request_id: int) -> Response:
        help_request, role = selectors.help_request_get_for(request_id=request_id, person=_me(request))
        data = HelpRequestUpdateInput(data=request.data, context={"help_request": help_request})
        data.is_valid(raise_exception=True)
        help_request = services.help_request_update(
            help_request=help_request,
            actor=_me(request),
            **data.validated_data,
        )
        return Response(_detail_data(request, help_request, role))

    @extend_schema(responses={200: HelpRequestDetailOutput})
    def delete(self, request: Request, request_id: int) -> Response:
        help_request, role = selectors.help_request_get_for(request_id=request_id, person=_me(request))
        help_request = services.help_request_cancel(help_request=help_request, actor=_me(request))
        return Response(_detail_data(request, help_request, role))


class HelpRequestClaimView(APIView):
    @extend_schema(request=HelpClaimInput, responses={201: HelpClaimOutput})
    def post(self, request: Request, request_id: int) -> Response:
        help_request, _role = selectors.help_request_get_for(
            request_id=request_id, person=_me(request), hide_paused=False
        )
        data = HelpClaimInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.help_request_claim(
            help_request=help_request, person=_me(request), **data.validated_data
        )
        return Response(
            claim_data(signup=result.signup, contribution=result.contribution, warnings=result.warnings),
            status=status.HTTP_201_CREATED,
        )


class HelpRequestReceivedView(APIView):
    @extend_schema(request=None, responses=HelpRequestDetailOutput)
    def post(self, request: Request, request_id: int) -> Response:
        help_request, role = selectors.help_request_get_for(request_id=request_id, person=_me(request))
        help_request = services.help_request_mark_received(help_request=help_request, actor=_me(request))
        return Response(_detail_data(request, help_request, role))


class SignupThanksView(APIView):
    @extend_schema(request=HelpThanksInput, responses={201: HelpThanksOutput})
    def post(self, request: Request, signup_id: int) -> Response:
        signup, help_request, _role = selectors.help_request_for_signup(
            signup_id=signup_id, person=_me(request)
        )
        data = HelpThanksInput(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.signup_thank(
            signup=signup,
            help_request=help_request,
            actor=_me(request),
            message=data.validated_data["message"],
        )
        return Response({"signup": signup.pk, "thanks": note}, status=status.HTTP_201_CREATED)


class CircleDishesView(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=_WINDOW, responses=HelpDishOutput(many=True))
    def get(self, request: Request, circle_id: int) -> Response:
        circle, role = circle_get_for(circle_id=circle_id, person=_me(request))
        queryset = selectors.dishes_for(circle=circle, person=_me(request), role=role)
        filterset = HelpDishFilter(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return _paginate(request, self, filterset.qs, HelpDishOutput, time_zone=circle.roster.time_zone)
