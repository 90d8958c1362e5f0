from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import selectors, services
from notifications.serializers import InboxFilterInput, NotificationOutput, PreferenceInput, PreferenceOutput
from village.api import DomainError, Pagination


class InboxView(APIView):
    pagination_class = Pagination

    @extend_schema(parameters=[InboxFilterInput], responses=NotificationOutput(many=True))
    def get(self, request: Request) -> Response:
        filters = InboxFilterInput(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        queryset = selectors.inbox_list(person=request.user, unread=filters.validated_data["unread"])  # type: ignore[arg-type]
        paginator = Pagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(NotificationOutput(page, many=True).data)


class UnreadCountView(APIView):
    @extend_schema(responses=inline_serializer("UnreadCount", {"count": serializers.IntegerField()}))
    def get(self, request: Request) -> Response:
        return Response({"count": selectors.inbox_unread_count(person=request.user)})  # type: ignore[arg-type]


class MarkReadView(APIView):
    @extend_schema(request=None, responses=NotificationOutput)
    def post(self, request: Request, pk: int) -> Response:
        # Someone else's notification is "not found": its existence is none of your business.
        notification = get_object_or_404(selectors.inbox_list(person=request.user), pk=pk)  # type: ignore[arg-type]
        services.notification_mark_read(notification=notification)
        return Response(NotificationOutput(notification).data)


class MarkAllReadView(APIView):
    @extend_schema(
        request=None, responses=inline_serializer("MarkedRead", {"updated": serializers.IntegerField()})
    )
    def post(self, request: Request) -> Response:
        return Response({"updated": services.notifications_mark_all_read(person=request.user)})  # type: ignore[arg-type]


class PreferencesView(APIView):
    @extend_schema(responses=PreferenceOutput)
    def get(self, request: Request) -> Response:
        return Response(PreferenceOutput(selectors.preferences_get(person=request.user)).data)  # type: ignore[arg-type]

    @extend_schema(request=PreferenceInput, responses=PreferenceOutput)
    def patch(self, request: Request) -> Response:
        data = PreferenceInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        preference = services.preferences_update(person=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(PreferenceOutput(preference).data)


_Unsubscribe = inline_serializer(
    "Unsubscribe",
    {
        "kind": serializers.CharField(),
        "email": serializers.CharField(),
        "subscribed": serializers.BooleanField(),
    },
)


class UnsubscribeView(APIView):
    """RFC 8058 one-click unsubscribe: the signed token is the credential, no login, no CSRF."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    def _read(self, token: str) -> tuple[object, str]:
        found = selectors.unsubscribe_token_read(token=token)
        if found is None:
            raise DomainError(
                "This unsubscribe link is not valid. Change what you receive in your settings instead.",
                code="not_found",
                status_code=404,
            )
        return found

    @staticmethod
    def _mask(email: str) -> str:
        name, _, domain = email.partition("@")
        return f"{name[:1]}…@{domain}"

    @extend_schema(responses=_Unsubscribe)
    def get(self, request: Request, token: str) -> Response:
        person, kind = self._read(token)
        subscribed = kind not in (selectors.preferences_get(person=person).disabled_kinds or [])  # type: ignore[arg-type]
        return Response({"kind": kind, "email": self._mask(person.email), "subscribed": subscribed})  # type: ignore[attr-defined]

    @extend_schema(request=None, responses=_Unsubscribe)
    def post(self, request: Request, token: str) -> Response:
        person, kind = self._read(token)
        services.kind_unsubscribe(person=person, kind=kind)  # type: ignore[arg-type]
        return Response({"kind": kind, "email": self._mask(person.email), "subscribed": False})  # type: ignore[attr-defined]
