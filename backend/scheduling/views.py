"""Thin API views for rosters, shifts and sign-ups: parse, call one service or selector, serialize."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organisation, Person
from notifications.selectors import failed_notifications
from scheduling import links, selectors, services
from scheduling.filters import (
    RosterFilter,
    ShiftFilter,
    SignupFilter,
    SwapFilter,
    filter_parameters,
    filter_values,
    filtered,
)
from scheduling.models import Signup
from scheduling.serializers import (
    AssignInput,
    CancelInput,
    ClaimInput,
    ClaimOutput,
    CommitmentOutput,
    EmptyInput,
    FailedNotificationOutput,
    GapOutput,
    GapsQuery,
    PublicSignupOutput,
    RosterCreateInput,
    RosterOutput,
    RosterUpdateInput,
    SeriesInput,
    ShiftInput,
    ShiftOutput,
    ShiftSignupListOutput,
    ShiftUpdateInput,
    ShiftUpdateOutput,
    SignupOutput,
    SwapAcceptInput,
    SwapBoardOutput,
    SwapOutput,
    claim_payload,
    commitment_rows_output,
    shift_rows_output,
)
from scheduling.services._common import require_coordinator
from village.api import (
    LIST_RENDERERS,
    AwareDateTimeField,
    CountedPagination,
    DomainError,
    LeanPagination,
    Pagination,
)


def _me(request: Request) -> Person:
    user = request.user
    assert isinstance(user, Person)  # IsAuthenticated is the default permission
    return user


def _paginate(view: APIView, request: Request, queryset: QuerySet[Any], serializer: Any) -> Response:
    paginator = LeanPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _parse(serializer_class: Any, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class RosterListView(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=filter_parameters(RosterFilter), responses=RosterOutput(many=True))
    def get(self, request: Request) -> Response:
        rosters = filtered(request, RosterFilter, selectors.rosters_visible_to(person=_me(request)))
        rosters = rosters.order_by("name", "pk")
        return _paginate(self, request, rosters, RosterOutput)

    @extend_schema(request=RosterCreateInput, responses={201: RosterOutput})
    def post(self, request: Request) -> Response:
        data = _parse(RosterCreateInput, request)
        organisation = Organisation.objects.filter(pk=data.pop("organisation")).first()
        if organisation is None:
            raise Http404
        roster = services.roster_create(organisation=organisation, created_by=_me(request), **data)
        return Response(RosterOutput(roster).data, status=status.HTTP_201_CREATED)


class RosterDetailView(APIView):
    @extend_schema(responses=RosterOutput)
    def get(self, request: Request, roster_id: int) -> Response:
        roster = selectors.roster_visible_to(roster_id=roster_id, person=_me(request))
        return Response(RosterOutput(roster).data)

    @extend_schema(request=RosterUpdateInput, responses=RosterOutput)
    def patch(self, request: Request, roster_id: int) -> Response:
        me = _me(request)
        roster = selectors.roster_visible_to(roster_id=roster_id, person=me)
        roster = services.roster_update(roster=roster, actor=me, **_parse(RosterUpdateInput, request))
        return Response(RosterOutput(roster).data)


class RosterShiftsView(APIView):
    pagination_class = Pagination
    renderer_classes = LIST_RENDERERS

    @extend_schema(parameters=filter_parameters(ShiftFilter), responses=ShiftOutput(many=True))
    def get(self, request: Request, roster_id: int) -> Response:
        me = _me(request)
        roster = selectors.roster_visible_to(roster_id=roster_id, person=me)
        params = filter_values(ShiftFilter, request.query_params)
        paginator = CountedPagination()
        rows = paginator.paginate_read(
            partial(
                selectors.shift_page,
                roster=roster,
                person=me,
                open_only=bool(params.get("open")),
                start=params.get("start"),
                end=params.get("end"),
            ),
            request,
        )
        return paginator.get_paginated_response(shift_rows_output(rows))

    @extend_schema(request=ShiftInput, responses={201: ShiftOutput})
    def post(self, request: Request, roster_id: int) -> Response:
        me = _me(request)
        roster = selectors.roster_visible_to(roster_id=roster_id, person=me)
        require_coordinator(roster=roster, actor=me)
        shift = services.shift_create(roster=roster, created_by=me, **_parse(ShiftInput, request))
        shift = selectors.shifts_for_roster(roster=roster).get(pk=shift.pk)
        return Response(ShiftOutput(shift).data, status=status.HTTP_201_CREATED)


class RosterSwapsView(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=filter_parameters(SwapFilter), responses=SwapBoardOutput(many=True))
    def get(self, request: Request, roster_id: int) -> Response:
        roster = selectors.roster_visible_to(roster_id=roster_id, person=_me(request))
        swaps = filtered(request, SwapFilter, selectors.open_swaps_for_roster(roster=roster))
        return _paginate(self, request, swaps, SwapBoardOutput)


class RosterFailedNotificationsView(APIView):
    """Messages about the roster's shifts that could not be delivered, for its coordinators."""

    pagination_class = Pagination

    @extend_schema(responses=FailedNotificationOutput(many=True))
    def get(self, request: Request, roster_id: int) -> Response:
        me = _me(request)
        roster = selectors.roster_visible_to(roster_id=roster_id, person=me)
        require_coordinator(roster=roster, actor=me)
        failed = failed_notifications(context_key="roster_id", value=roster.pk)
        return _paginate(self, request, failed, FailedNotificationOutput)


class RosterSeriesView(APIView):
    @extend_schema(request=SeriesInput, responses={201: ShiftOutput(many=True)})
    def post(self, request: Request, roster_id: int) -> Response:
        me = _me(request)
        roster = selectors.roster_visible_to(roster_id=roster_id, person=me)
        shifts = services.series_create(roster=roster, created_by=me, **_parse(SeriesInput, request))
        listed = selectors.shifts_for_roster(roster=roster).filter(pk__in=[s.pk for s in shifts])
        return Response(
            {"count": len(shifts), "results": ShiftOutput(listed, many=True).data},
            status=status.HTTP_201_CREATED,
        )


class ShiftDetailView(APIView):
    @extend_schema(responses=ShiftOutput)
    def get(self, request: Request, shift_id: int) -> Response:
        me = _me(request)
        shift = selectors.shift_visible_to(shift_id=shift_id, person=me)
        return Response(ShiftOutput(shift, context={"viewer": me}).data)

    @extend_schema(
        request=ShiftUpdateInput,
        parameters=[OpenApiParameter("scope", str, enum=["this", "following", "all"])],
        responses=ShiftUpdateOutput,
    )
    def patch(self, request: Request, shift_id: int) -> Response:
        me = _me(request)
        shift = selectors.shift_visible_to(shift_id=shift_id, person=me)
        scope = request.query_params.get("scope", "this")
        changes = {k: v for k, v in _parse(ShiftUpdateInput, request).items()}
        updated = services.series_update(shift=shift, actor=me, scope=scope, **changes)  # type: ignore[arg-type]
        if scope == "this":
            return Response(ShiftOutput(updated[0]).data)
        return Response({"count": len(updated), "results": ShiftOutput(updated, many=True).data})

    @extend_schema(responses={200: ShiftOutput})
    def delete(self, request: Request, shift_id: int) -> Response:
        me = _me(request)
        shift = selectors.shift_visible_to(shift_id=shift_id, person=me)
        return Response(ShiftOutput(services.shift_cancel(shift=shift, actor=me)).data)


class ShiftSignupsView(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=filter_parameters(SignupFilter), responses=ShiftSignupListOutput(many=True))
    def get(self, request: Request, shift_id: int) -> Response:
        me = _me(request)
        shift = selectors.shift_visible_to(shift_id=shift_id, person=me)
        signups = filtered(request, SignupFilter, selectors.signups_for_shift(shift=shift, person=me))
        coordinator = selectors.roster_role(roster=shift.roster, person=me) == "coordinator"
        return _paginate(self, request, signups, SignupOutput if coordinator else PublicSignupOutput)

    @extend_schema(request=ClaimInput, responses={201: ClaimOutput})
    def post(self, request: Request, shift_id: int) -> Response:
        me = _me(request)
        # signup_claim answers 404 itself to anyone with no role on the roster.
        shift = selectors.shift_by_id(shift_id=shift_id, person=me)
        result = services.signup_claim(shift=shift, person=me, actor=me, **_parse(ClaimInput, request))
        return Response(claim_payload(result), status=status.HTTP_201_CREATED)


class ShiftAssignView(APIView):
    @extend_schema(request=AssignInput, responses={201: ClaimOutput})
    def post(self, request: Request, shift_id: int) -> Response:
        me = _me(request)
        shift = selectors.shift_visible_to(shift_id=shift_id, person=me)
        data = _parse(AssignInput, request)
        person = Person.objects.filter(pk=data.pop("person")).first()
        if person is None:
            raise DomainError("We couldn't find that person.", fields={"person": ["Unknown person."]})
        result = services.signup_assign(shift=shift, person=person, actor=me, **data)
        return Response(claim_payload(result), status=status.HTTP_201_CREATED)


class SignupDetailView(APIView):
    @extend_schema(responses=SignupOutput)
    def get(self, request: Request, signup_id: int) -> Response:
        return Response(
            SignupOutput(selectors.signup_visible_to(signup_id=signup_id, person=_me(request))).data
        )


class SignupActionView(APIView):
    """POST signups/{id}/<action>/: cancel, accept-offer, decline-offer, swap, complete, no-show."""

    # Not ``action``: DRF and drf-spectacular read that name as a viewset action.
    signup_action: str = ""

    @extend_schema(request=CancelInput, responses={200: SignupOutput, 201: SwapOutput, 202: SignupOutput})
    def post(self, request: Request, signup_id: int) -> Response:
        me = _me(request)
        signup = selectors.signup_visible_to(signup_id=signup_id, person=me)
        action = self.signup_action
        if action == "swap":
            _parse(EmptyInput, request)
            swap = services.swap_offer(signup=signup, actor=me)
            return Response(SwapOutput(swap).data, status=status.HTTP_201_CREATED)
        if action == "cancel":
            result = services.signup_cancel(signup=signup, actor=me, **_parse(CancelInput, request))
            # 202: after the cut-off the cancel is a request the coordinators still decide on.
            code = (
                status.HTTP_202_ACCEPTED if result.status != Signup.Status.CANCELLED else status.HTTP_200_OK
            )
            return Response(SignupOutput(result).data, status=code)
        if action == "decline-cancel":
            result = services.signup_cancel_decline(signup=signup, actor=me)
        elif action == "accept-offer":
            result = services.signup_accept_offer(signup=signup, actor=me)
        elif action == "decline-offer":
            result = services.signup_decline_offer(signup=signup, actor=me)
        elif action == "complete":
            result = services.signup_mark(signup=signup, actor=me, status="completed")
        elif action == "no-show":
            result = services.signup_mark(signup=signup, actor=me, status="no_show")
        else:  # pragma: no cover - urls.py only routes the actions above
            raise Http404
        return Response(SignupOutput(result).data)


class SwapAcceptView(APIView):
    @extend_schema(request=SwapAcceptInput, responses={201: ClaimOutput})
    def post(self, request: Request, swap_id: int) -> Response:
        me = _me(request)
        swap = selectors.swap_visible_to(swap_id=swap_id, person=me)
        result = services.swap_accept(swap=swap, person=me, **_parse(SwapAcceptInput, request))
        return Response(claim_payload(result), status=status.HTTP_201_CREATED)


class SignupAcceptSwapView(APIView):
    """POST signups/{id}/accept-swap/: take the place its holder offered (same as swaps/{id}/accept/)."""

    @extend_schema(request=SwapAcceptInput, responses={201: ClaimOutput})
    def post(self, request: Request, signup_id: int) -> Response:
        me = _me(request)
        swap = selectors.open_swap_for_signup(signup_id=signup_id, person=me)
        result = services.swap_accept(swap=swap, person=me, **_parse(SwapAcceptInput, request))
        return Response(claim_payload(result), status=status.HTTP_201_CREATED)


class SwapWithdrawView(APIView):
    @extend_schema(request=None, responses=SwapOutput)
    def post(self, request: Request, swap_id: int) -> Response:
        me = _me(request)
        swap = selectors.swap_visible_to(swap_id=swap_id, person=me)
        return Response(SwapOutput(services.swap_withdraw(swap=swap, actor=me)).data)


class MyCommitmentsView(APIView):
    pagination_class = Pagination
    renderer_classes = LIST_RENDERERS

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since",
                str,
                description="Include commitments ending after this time (default: 24 hours ago).",
            )
        ],
        responses=CommitmentOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        since = None
        if "since" in request.query_params:
            field = AwareDateTimeField()
            try:
                since = field.run_validation(request.query_params["since"])
            except serializers.ValidationError as exc:
                raise DomainError(
                    "Give since as a time with its offset.",
                    fields={"since": ["Give a time with its offset, e.g. 2026-03-08T17:30:00-05:00."]},
                ) from exc
        paginator = CountedPagination()
        rows = paginator.paginate_read(
            partial(selectors.commitment_page, person=_me(request), since=since), request
        )
        return paginator.get_paginated_response(commitment_rows_output(rows))


class MyGapsView(APIView):
    """GET me/gaps/: open places on every roster and circle I coordinate, soonest first."""

    pagination_class = Pagination

    @extend_schema(parameters=[GapsQuery], responses=GapOutput(many=True))
    def get(self, request: Request) -> Response:
        query = GapsQuery(data=request.query_params)
        if not query.is_valid():
            raise DomainError(
                f"Give days as a whole number from 1 to {selectors.GAPS_MAX_DAYS}.",
                fields={k: [str(m) for m in v] for k, v in query.errors.items()},
            )
        gaps = selectors.gaps_for_coordinator(person=_me(request), days=query.validated_data["days"])
        paginator = Pagination()
        page = paginator.paginate_queryset(gaps, request, view=self) or []
        pages = links.roster_pages({(shift.roster_id, shift.roster.kind) for shift in page})
        return paginator.get_paginated_response(GapOutput(page, many=True, context={"pages": pages}).data)
