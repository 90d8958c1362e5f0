"""Invitations: made and listed by those who may invite, previewed and accepted by whoever holds the link."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import invitation_services, selectors
from accounts.models import Invitation, Person
from accounts.serializers import (
    CreatedInvitationSerializer,
    InvitationAcceptedSerializer,
    InvitationInput,
    InvitationListQuery,
    InvitationPreviewSerializer,
    InvitationSerializer,
)
from accounts.throttles import InvitationThrottle


def _person(request: Request) -> Person:
    person = request.user
    assert isinstance(person, Person)  # IsAuthenticated ran
    return person


class InvitationListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()  # for the schema; real rows come per target
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Invitation]:
        query = InvitationListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        kind, target_id = query.validated_data["target_kind"], query.validated_data["target_id"]
        invitation_services.invitation_target_for(
            person=_person(self.request), kind=kind, target_id=target_id
        )
        return selectors.invitations_for_target(target_kind=kind, target_id=target_id)

    @extend_schema(
        parameters=[
            OpenApiParameter("target_kind", OpenApiTypes.STR, required=True),
            OpenApiParameter("target_id", OpenApiTypes.INT, required=True),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Invitations into one target, newest first (tokens are never shown again)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(request=InvitationInput, responses={201: CreatedInvitationSerializer})
    def post(self, request: Request) -> Response:
        """Create an invitation; its token and join URL are in this response only."""
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = invitation_services.invitation_create(inviter=_person(request), **data.validated_data)
        body = {
            **InvitationSerializer(created.invitation).data,
            "token": created.token,
            "join_url": created.join_url,
        }
        return Response(body, status=status.HTTP_201_CREATED)


class InvitationRevokeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=InvitationSerializer)
    def post(self, request: Request, invitation_id: int) -> Response:
        invitation = invitation_services.invitation_for_inviter(
            person=_person(request), invitation_id=invitation_id
        )
        invitation = invitation_services.invitation_revoke(invitation=invitation)
        return Response(InvitationSerializer(invitation).data)


class InvitationPreviewView(APIView):
    """What a link admits to, before accepting it; anyone holding the link may look."""

    permission_classes = [AllowAny]
    throttle_classes = [InvitationThrottle]

    @extend_schema(responses=InvitationPreviewSerializer)
    def get(self, request: Request, token: str) -> Response:
        return Response(InvitationPreviewSerializer(selectors.invitation_preview(token=token)).data)


class InvitationAcceptView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [InvitationThrottle]

    @extend_schema(request=None, responses=InvitationAcceptedSerializer)
    def post(self, request: Request, token: str) -> Response:
        acceptance = invitation_services.invitation_accept(token=token, person=_person(request))
        return Response(InvitationAcceptedSerializer(acceptance).data)
