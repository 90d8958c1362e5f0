"""Care circle endpoints. Thin: parse, ask one selector or service, serialize by role.

Anyone with no role in a circle — anonymous, a stranger, an organisation volunteer who was not
invited — gets 404 from every circle endpoint, exactly as if the circle did not exist. 403 is
only for members who know the circle and may not do this (a volunteer trying to edit).
"""

from __future__ import annotations

import json
from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from accounts.models import MembershipStatus, Person
from practical import audit, export, selectors, services
from practical.models import ChildcareApproval, Circle, CircleAuditEntry
from practical.serializers import (
    ADDRESS_FIELDS,
    COORDINATOR_FIELDS,
    VOLUNTEER_FIELDS,
    AddressReadOutput,
    AddressReadQuery,
    AuditEntryOutput,
    ChildcareApprovalInput,
    ChildcareApprovalOutput,
    CircleCreateInput,
    CircleDeleteInput,
    CircleOutput,
    CirclePatchInput,
    CircleProfileOutput,
    CircleSummaryOutput,
    MemberCoordinatorOutput,
    MemberListOutput,
    MemberPatchInput,
    MemberVolunteerOutput,
)
from scheduling.filters import filter_parameters
from scheduling.models import RosterMembership
from scheduling.selectors import RosterRole
from village.api import DomainError, Pagination, UTCIsoDateTimeFilter


class CircleNotFoundForAnonymous(BasePermission):
    """Anonymous visitors get the same 404 as strangers: a circle's existence is private."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotFound()
        return True


def _me(request: Request) -> Person:
    """The logged-in person (every view below runs only for authenticated people)."""
    return cast(Person, request.user)


class CircleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Circle.Status.choices)

    class Meta:
        model = Circle
        fields = ["status"]


class MemberFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MembershipStatus.choices)

    class Meta:
        model = RosterMembership
        fields = ["status"]


class ChildcareApprovalFilter(django_filters.FilterSet):
    since = UTCIsoDateTimeFilter(
        field_name="approved_at", lookup_expr="gte", label="Only approvals given at or after this time."
    )
    until = UTCIsoDateTimeFilter(
        field_name="approved_at", lookup_expr="lt", label="Only approvals given before this time."
    )

    class Meta:
        model = ChildcareApproval
        fields = ["since", "until"]


class AuditFilter(django_filters.FilterSet):
    """Parses the audit log's query string; ``audit.circle_audit_log`` applies it to each half."""

    action = django_filters.ChoiceFilter(
        choices=[(action, action) for action in audit.ACTIONS],
        method="_parsed_only",
        label="Only entries of this kind (address_shown for address reads).",
    )
    since = UTCIsoDateTimeFilter(method="_parsed_only", label="Only entries at or after this time.")
    until = UTCIsoDateTimeFilter(method="_parsed_only", label="Only entries before this time.")

    class Meta:
        model = CircleAuditEntry
        fields = ["action", "since", "until"]

    def _parsed_only(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset


def _filtered(
    request: Request, filterset: type[django_filters.FilterSet], queryset: QuerySet[Any]
) -> QuerySet[Any]:
    """Apply the query-string filters; a bad value is a 400 naming the parameter."""
    form = filterset(data=request.query_params, queryset=queryset)
    if not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    return form.qs


def _paginated(request: Request, view: APIView, queryset: QuerySet[Any], serializer: Any) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


def _valid(serializer: BaseSerializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class CircleScopedView(APIView):
    permission_classes = [CircleNotFoundForAnonymous]
    # Declared so the OpenAPI schema shows list responses wrapped in their page.
    pagination_class = Pagination

    def circle(
        self, request: Request, circle_id: int, *, coordinator: bool = False
    ) -> tuple[Circle, RosterRole]:
        circle, role = selectors.circle_get_for(circle_id=circle_id, person=_me(request))
        if coordinator and role != "coordinator":
            raise DomainError(
                "Only the circle's coordinators can do that.", code="coordinators_only", status_code=403
            )
        return circle, role


def _circle_response(request: Request, circle: Circle, role: RosterRole, *, code: int = 200) -> Response:
    """The profile as this person may see it; a volunteer shown the address leaves a trace."""
    if role == "coordinator":
        fields: tuple[str, ...] = COORDINATOR_FIELDS
    elif selectors.address_visible_to(circle=circle, person=_me(request)):
        fields = (*VOLUNTEER_FIELDS, *ADDRESS_FIELDS)
        if circle.address or circle.phone:
            services.address_read_record(circle=circle, person=_me(request), via="api:circle")
    else:
        fields = VOLUNTEER_FIELDS
    data = CircleOutput(circle, context={"role": role, "fields": fields}).data
    return Response(data, status=code)


_PROFILE_BY_ROLE = (
    "Fields depend on the caller: coordinators get every field; member volunteers get what they "
    "need to help (children only as children_count) and address/phone only from "
    "ADDRESS_VISIBLE_HOURS_BEFORE a confirmed commitment until it ends, which the family can see "
    "under address-reads/."
)
_STATUS_PARAM = OpenApiParameter("status", str, enum=list(Circle.Status.values))
_NO_CONTENT = {204: OpenApiResponse(description="Done.")}


class CircleListView(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=[_STATUS_PARAM], responses=CircleSummaryOutput(many=True))
    def get(self, request: Request) -> Response:
        """The circles I am in (any role) or coordinate through my organisation."""
        circles = _filtered(request, CircleFilter, selectors.circles_visible_to(person=_me(request)))
        return _paginated(request, self, circles, CircleSummaryOutput)

    @extend_schema(request=CircleCreateInput, responses={201: CircleProfileOutput})
    def post(self, request: Request) -> Response:
        """Start a circle (for myself or for a family I organise for); I become its coordinator."""
        data = _valid(CircleCreateInput(data=request.data))
        data.setdefault("time_zone", _me(request).time_zone)
        circle = services.circle_create(
            created_by=_me(request), organisation_id=data.pop("organisation", None), **data
        )
        return _circle_response(request, circle, "coordinator", code=status.HTTP_201_CREATED)


class CircleDetailView(CircleScopedView):
    @extend_schema(responses=CircleProfileOutput, description=_PROFILE_BY_ROLE)
    def get(self, request: Request, circle_id: int) -> Response:
        circle, role = self.circle(request, circle_id)
        return _circle_response(request, circle, role)

    @extend_schema(request=CirclePatchInput, responses=CircleProfileOutput)
    def patch(self, request: Request, circle_id: int) -> Response:
        """Change the household profile (coordinators only)."""
        circle, role = self.circle(request, circle_id, coordinator=True)
        data = _valid(CirclePatchInput(data=request.data))
        circle = services.circle_update(circle=circle, actor=_me(request), **data)
        return _circle_response(request, circle, role)

    @extend_schema(
        request=CircleDeleteInput,
        responses=_NO_CONTENT,
        description="Delete the circle and the family's data (coordinators). The body must be "
        '{"confirm": "<the circle\'s name>"}, else 400 and nothing changes. Volunteers with '
        "commitments still to come are told and their commitments cancelled.",
    )
    def delete(self, request: Request, circle_id: int) -> Response:
        circle, _ = self.circle(request, circle_id, coordinator=True)
        data = _valid(CircleDeleteInput(data=request.data))
        export.circle_delete(circle=circle, actor=_me(request), confirm=data["confirm"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class CirclePauseView(CircleScopedView):
    """Pause the circle; commitments stay and their holders are told."""

    transition = staticmethod(services.circle_pause)

    @extend_schema(request=None, responses=CircleProfileOutput)
    def post(self, request: Request, circle_id: int) -> Response:
        circle, role = self.circle(request, circle_id, coordinator=True)
        circle = self.transition(circle=circle, actor=_me(request))
        return _circle_response(request, circle, role)


class CircleResumeView(CirclePauseView):
    """Make a paused circle active again."""

    transition = staticmethod(services.circle_resume)


class CircleCloseView(CirclePauseView):
    """Close the circle for good (409 for any change afterwards)."""

    transition = staticmethod(services.circle_close)


class CircleMembersView(CircleScopedView):
    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(MembershipStatus.values))],
        responses=MemberListOutput(many=True),
        description="Coordinators see every member with e-mail and status; volunteers see active "
        "members' name and role only.",
    )
    def get(self, request: Request, circle_id: int) -> Response:
        circle, role = self.circle(request, circle_id)
        members = _filtered(request, MemberFilter, selectors.circle_members(circle=circle, role=role))
        output = MemberCoordinatorOutput if role == "coordinator" else MemberVolunteerOutput
        return _paginated(request, self, members, output)


class CircleMemberView(CircleScopedView):
    @extend_schema(request=MemberPatchInput, responses=MemberCoordinatorOutput)
    def patch(self, request: Request, circle_id: int, person_id: int) -> Response:
        """Approve a waiting member, or change a member's role (the circle keeps a coordinator)."""
        circle, _ = self.circle(request, circle_id, coordinator=True)
        data = _valid(MemberPatchInput(data=request.data))
        membership = services.circle_member_update(
            circle=circle, person_id=person_id, actor=_me(request), **data
        )
        return Response(MemberCoordinatorOutput(membership).data)

    @extend_schema(request=None, responses=_NO_CONTENT)
    def delete(self, request: Request, circle_id: int, person_id: int) -> Response:
        """Remove a member from the circle."""
        circle, _ = self.circle(request, circle_id, coordinator=True)
        services.circle_member_remove(circle=circle, person_id=person_id, actor=_me(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CircleChildcareApprovalsView(CircleScopedView):
    @extend_schema(
        parameters=filter_parameters(ChildcareApprovalFilter), responses=ChildcareApprovalOutput(many=True)
    )
    def get(self, request: Request, circle_id: int) -> Response:
        """The volunteers the family trusts with their children."""
        circle, _ = self.circle(request, circle_id, coordinator=True)
        approvals = _filtered(
            request, ChildcareApprovalFilter, selectors.circle_childcare_approvals(circle=circle)
        )
        return _paginated(request, self, approvals, ChildcareApprovalOutput)

    @extend_schema(
        request=ChildcareApprovalInput,
        responses={201: ChildcareApprovalOutput, 200: ChildcareApprovalOutput},
    )
    def post(self, request: Request, circle_id: int) -> Response:
        """Approve an active member for childcare (200 when they already were)."""
        circle, _ = self.circle(request, circle_id, coordinator=True)
        data = _valid(ChildcareApprovalInput(data=request.data))
        approval, created = services.childcare_approval_create(
            circle=circle, person_id=data["person"], approved_by=_me(request)
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ChildcareApprovalOutput(approval).data, status=code)


class CircleChildcareApprovalView(CircleScopedView):
    @extend_schema(request=None, responses=_NO_CONTENT)
    def delete(self, request: Request, circle_id: int, person_id: int) -> Response:
        """Withdraw the family's childcare trust in this person."""
        circle, _ = self.circle(request, circle_id, coordinator=True)
        services.childcare_approval_delete(circle=circle, person_id=person_id, actor=_me(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CircleAddressReadsView(CircleScopedView):
    @extend_schema(
        parameters=[OpenApiParameter("since", OpenApiTypes.DATETIME)],
        responses=AddressReadOutput(many=True),
    )
    def get(self, request: Request, circle_id: int) -> Response:
        """Who was shown the family's address or phone, and when (coordinators only)."""
        circle, _ = self.circle(request, circle_id, coordinator=True)
        query = AddressReadQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        reads = selectors.circle_address_reads(circle=circle, since=query.validated_data.get("since"))
        return _paginated(request, self, reads, AddressReadOutput)


class CircleAuditView(CircleScopedView):
    @extend_schema(parameters=filter_parameters(AuditFilter), responses=AuditEntryOutput(many=True))
    def get(self, request: Request, circle_id: int) -> Response:
        """Who was shown the address, and what coordinators changed, newest first (coordinators)."""
        circle, _ = self.circle(request, circle_id, coordinator=True)
        query = AuditFilter(data=request.query_params, queryset=CircleAuditEntry.objects.none())
        if not query.is_valid():
            raise exceptions.ValidationError(query.errors)
        params = query.form.cleaned_data
        log = audit.circle_audit_log(
            circle=circle,
            action=params.get("action") or None,
            since=params.get("since"),
            until=params.get("until"),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(log, request, view=self)
        rows = [audit.audit_row(row) for row in page or []]
        return paginator.get_paginated_response(cast(Any, AuditEntryOutput)(rows, many=True).data)


class CircleExportView(CircleScopedView):
    @extend_schema(
        responses={200: OpenApiTypes.OBJECT},
        description="Everything about the circle as a JSON file download (coordinators): profile "
        "with address and phone, members, requests, sign-ups, contributions, thanks, address "
        "reads, audit log, status history.",
    )
    def get(self, request: Request, circle_id: int) -> HttpResponse:
        circle, _ = self.circle(request, circle_id, coordinator=True)
        data = export.circle_export(circle=circle)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="village-circle-{circle.pk}.json"'
        # The family's address and phone: never kept by a shared cache.
        response["Cache-Control"] = "no-store"
        return response
