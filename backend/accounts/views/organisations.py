"""Organisations and their members. Strangers get 404; members who aren't coordinators get 403."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.models import MembershipStatus, OrganisationMembership, Person, Role
from accounts.serializers import (
    MemberSerializer,
    MemberUpdateInput,
    MyOrganisationSerializer,
    OrganisationInput,
    OrganisationUpdateInput,
)
from village.api import DomainError


def _person(request: Request) -> Person:
    person = request.user
    assert isinstance(person, Person)  # IsAuthenticated ran
    return person


def _coordinator_membership(request: Request, organisation_id: int) -> OrganisationMembership:
    """404 for strangers; 403 for members, who already know the organisation exists."""
    membership = selectors.organisation_membership_for(
        organisation_id=organisation_id, person=_person(request)
    )
    if not selectors.is_active_coordinator(membership):
        raise DomainError(
            "Only the organisation's coordinators can do that.",
            code="permission_denied",
            status_code=status.HTTP_403_FORBIDDEN,
        )
    return membership


class MyOrganisationFilter(django_filters.FilterSet):
    # Only what the list can hold: removed memberships are never listed.
    status = django_filters.ChoiceFilter(
        choices=[(s.value, s.label) for s in (MembershipStatus.ACTIVE, MembershipStatus.PENDING)]
    )
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = OrganisationMembership
        fields = ["status", "role"]


class OrganisationListView(generics.ListAPIView):
    """My organisations (GET); create one and become its coordinator (POST)."""

    permission_classes = [IsAuthenticated]
    serializer_class = MyOrganisationSerializer
    filterset_class = MyOrganisationFilter
    queryset = OrganisationMembership.objects.none()  # for the schema; real rows come per person

    def get_queryset(self) -> QuerySet[OrganisationMembership]:
        return selectors.organisation_memberships_of(person=_person(self.request))

    @extend_schema(request=OrganisationInput, responses={201: MyOrganisationSerializer})
    def post(self, request: Request) -> Response:
        data = OrganisationInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.organisation_create(creator=_person(request), **data.validated_data)
        return Response(MyOrganisationSerializer(membership).data, status=status.HTTP_201_CREATED)


class OrganisationDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MyOrganisationSerializer)
    def get(self, request: Request, organisation_id: int) -> Response:
        membership = selectors.organisation_membership_for(
            organisation_id=organisation_id, person=_person(request)
        )
        return Response(MyOrganisationSerializer(membership).data)

    @extend_schema(request=OrganisationUpdateInput, responses=MyOrganisationSerializer)
    def patch(self, request: Request, organisation_id: int) -> Response:
        membership = _coordinator_membership(request, organisation_id)
        data = OrganisationUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.organisation_update(organisation=membership.organisation, **data.validated_data)
        return Response(MyOrganisationSerializer(membership).data)


class MemberFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MembershipStatus.choices)
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = OrganisationMembership
        fields = ["status", "role"]


class MemberListView(generics.ListAPIView):
    """Members of an organisation, for its coordinators. Removed people only with ?status=removed."""

    permission_classes = [IsAuthenticated]
    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    queryset = OrganisationMembership.objects.none()  # for the schema

    def get_queryset(self) -> QuerySet[OrganisationMembership]:
        organisation_id = self.kwargs["organisation_id"]
        _coordinator_membership(self.request, organisation_id)
        members = selectors.organisation_members(organisation_id=organisation_id)
        if "status" not in self.request.query_params:
            members = members.exclude(status=MembershipStatus.REMOVED)
        return members


class MemberDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=MemberUpdateInput, responses=MemberSerializer)
    def patch(self, request: Request, organisation_id: int, person_id: int) -> Response:
        _coordinator_membership(request, organisation_id)
        data = MemberUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.organisation_member_update(
            organisation_id=organisation_id, person_id=person_id, **data.validated_data
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, organisation_id: int, person_id: int) -> Response:
        _coordinator_membership(request, organisation_id)
        services.organisation_member_remove(organisation_id=organisation_id, person_id=person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
