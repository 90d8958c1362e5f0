"""Care circle endpoints. Thin: parse, ask one selector or service, serialize by role.

Anyone with no role in a circle — anonymous, a stranger, an organisation volunteer who was not
invited — gets 404 from every circle endpoint, exactly as if the circle did not exist. 403 is
only for members who know the circle and may not do this (a volunteer trying to edit).
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import QuerySet
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from accounts.models import MembershipStatus, Person
from practical import selectors, services
from practical.models import Circle
from practical.serializers import (
    ADDRESS_FIELDS,
    COORDINATOR_FIELDS,
    VOLUNTEER_FIELDS,
    AddressReadOutput,
    AddressReadQuery,
    ChildcareApprovalInput,
    ChildcareApprovalOutput,
    CircleCreateInput,
    CircleOutput,
    CirclePatchInput,
    CircleSummaryOutput,
    MemberCoordinatorOutput,
    MemberPatchInput,
    MemberVolunteerOutput,
)
from scheduling.models import RosterMembership
from scheduling.selectors import RosterRole
from village.api import Pagination


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

    def circle(
        self, request: Request, circle_id: int, *, coordinator: bool = False
    ) -> tuple[Circle, RosterRole]:
        circle, role = selectors.circle_get_for(circle_id=circle_id, person=_me(request))
        if coordinator and role != "coordinator":
            raise exceptions.PermissionDenied("Only the circle's coordinators can do that.")
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


class CircleListView(APIView):
    def get(self, request: Request) -> Response:
        circles = _filtered(request, CircleFilter, selectors.circles_visible_to(person=_me(request)))
        return _paginated(request, self, circles, CircleSummaryOutput)

    def post(self, request: Request) -> Response:
        data = _valid(CircleCreateInput(data=request.data))
        data.setdefault("time_zone", _me(request).time_zone)
        circle = services.circle_create(
            created_by=_me(request), organisation_id=data.pop("organisation", None), **data
        )
        return _circle_response(request, circle, "coordinator", code=status.HTTP_201_CREATED)


class CircleDetailView(CircleScopedView):
    def get(self, request: Request, circle_id: int) -> Response:
        circle, role = self.circle(request, circle_id)
        return _circle_response(request, circle, role)

    def patch(self, request: Request, circle_id: int) -> Response:
        circle, role = self.circle(request, circle_id, coordinator=True)
        data = _valid(CirclePatchInput(data=request.data))
        circle = services.circle_update(circle=circle, actor=_me(request), **data)
        return _circle_response(request, circle, role)


class CirclePauseView(CircleScopedView):
    action = staticmethod(services.circle_pause)

    def post(self, request: Request, circle_id: int) -> Response:
        circle, role = self.circle(request, circle_id, coordinator=True)
        circle = self.action(circle=circle, actor=_me(request))
        return _circle_response(request, circle, role)


class CircleResumeView(CirclePauseView):
    action = staticmethod(services.circle_resume)


class CircleCloseView(CirclePauseView):
    action = staticmethod(services.circle_close)


class CircleMembersView(CircleScopedView):
    def get(self, request: Request, circle_id: int) -> Response:
        circle, role = self.circle(request, circle_id)
        members = _filtered(request, MemberFilter, selectors.circle_members(circle=circle, role=role))
        output = MemberCoordinatorOutput if role == "coordinator" else MemberVolunteerOutput
        return _paginated(request, self, members, output)


class CircleMemberView(CircleScopedView):
    def patch(self, request: Request, circle_id: int, person_id: int) -> Response:
        circle, _ = self.circle(request, circle_id, coordinator=True)
        data = _valid(MemberPatchInput(data=request.data))
        membership = services.circle_member_update(circle=circle, person_id=person_id, **data)
        return Response(MemberCoordinatorOutput(membership).data)

    def delete(self, request: Request, circle_id: int, person_id: int) -> Response:
        circle, _ = self.circle(request, circle_id, coordinator=True)
        services.circle_member_remove(circle=circle, person_id=person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CircleChildcareApprovalsView(CircleScopedView):
    def get(self, request: Request, circle_id: int) -> Response:
        circle, _ = self.circle(request, circle_id, coordinator=True)
        approvals = selectors.circle_childcare_approvals(circle=circle)
        return _paginated(request, self, approvals, ChildcareApprovalOutput)

    def post(self, request: Request, circle_id: int) -> Response:
        circle, _ = self.circle(request, circle_id, coordinator=True)
        data = _valid(ChildcareApprovalInput(data=request.data))
        approval, created = services.childcare_approval_create(
            circle=circle, person_id=data["person"], approved_by=_me(request)
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ChildcareApprovalOutput(approval).data, status=code)


class CircleChildcareApprovalView(CircleScopedView):
    def delete(self, request: Request, circle_id: int, person_id: int) -> Response:
        circle, _ = self.circle(request, circle_id, coordinator=True)
        services.childcare_approval_delete(circle=circle, person_id=person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CircleAddressReadsView(CircleScopedView):
    def get(self, request: Request, circle_id: int) -> Response:
        circle, _ = self.circle(request, circle_id, coordinator=True)
        query = AddressReadQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        reads = selectors.circle_address_reads(circle=circle, since=query.validated_data.get("since"))
        return _paginated(request, self, reads, AddressReadOutput)
