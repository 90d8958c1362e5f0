"""Signing up, in and out, API tokens, and passwords."""

from __future__ import annotations

from django.contrib.auth import login, logout, update_session_auth_hash
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import CSRFCheck
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import Language, Person
from accounts.serializers import (
    CredentialsInput,
    CsrfSerializer,
    MeUpdateInput,
    PasswordChangeInput,
    PasswordResetConfirmInput,
    PasswordResetInput,
    PersonSerializer,
    SignupInput,
    TokenSerializer,
)
from accounts.throttles import LoginThrottle, PasswordResetThrottle

_MessageSerializer = inline_serializer("AccountMessage", {"message": serializers.CharField()})


def enforce_csrf(request: Request) -> None:
    """Check the CSRF token even though nobody is logged in yet.

    DRF checks CSRF only for requests that already carry a logged-in session. Logging in must be
    protected too, or another site could silently log a browser into the attacker's account.
    """
    check = CSRFCheck(lambda _request: None)  # type: ignore[arg-type]
    check.process_request(request._request)
    reason = check.process_view(request._request, None, (), {})  # type: ignore[arg-type]
    if reason:
        # Same wording as DRF's own check, so village.api answers both the same way.
        raise exceptions.PermissionDenied(f"CSRF Failed: {reason}")


def _session_person(request: Request) -> Person:
    person = request.user
    assert isinstance(person, Person)  # IsAuthenticated ran
    return person


class CsrfView(APIView):
    """Sets the csrftoken cookie the web app sends back in X-CSRFToken on every write."""

    permission_classes = [AllowAny]

    @extend_schema(responses=CsrfSerializer)
    @method_decorator(ensure_csrf_cookie)
    def get(self, request: Request) -> Response:
        return Response({"csrf_token": get_token(request._request)})


class SignupView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=SignupInput, responses={201: PersonSerializer})
    def post(self, request: Request) -> Response:
        enforce_csrf(request)
        data = SignupInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "language" not in values:
            # Without a choice, keep the language the browser asked for when we speak it.
            asked = getattr(request._request, "LANGUAGE_CODE", Language.ENGLISH)
            values["language"] = asked if asked in Language.values else Language.ENGLISH
        person = services.person_create(**values)
        login(request._request, person, backend="django.contrib.auth.backends.ModelBackend")
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=CredentialsInput, responses=PersonSerializer)
    def post(self, request: Request) -> Response:
        enforce_csrf(request)
        data = CredentialsInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_authenticate(request=request._request, **data.validated_data)
        login(request._request, person)
        return Response(PersonSerializer(person).data)


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenView(APIView):
    """An API token for partner apps and scripts, which send it as ``Authorization: Token …``."""

    # A script has no session; a browser session must not make this need a CSRF token.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(request=CredentialsInput, responses=TokenSerializer)
    def post(self, request: Request) -> Response:
        data = CredentialsInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_authenticate(request=request._request, **data.validated_data)
        return Response({"token": services.person_token(person=person)})


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PersonSerializer)
    def get(self, request: Request) -> Response:
        return Response(PersonSerializer(_session_person(request)).data)

    @extend_schema(request=MeUpdateInput, responses=PersonSerializer)
    def patch(self, request: Request) -> Response:
        data = MeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_update(person=_session_person(request), **data.validated_data)
        return Response(PersonSerializer(person).data)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordChangeInput, responses={204: None})
    def post(self, request: Request) -> Response:
        data = PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_password_change(person=_session_person(request), **data.validated_data)
        # Keep this browser logged in; every other session ends with the old password.
        update_session_auth_hash(request._request, person)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [PasswordResetThrottle]

    @extend_schema(request=PasswordResetInput, responses={202: OpenApiResponse(_MessageSerializer)})
    def post(self, request: Request) -> Response:
        data = PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.person_password_reset_request(email=data.validated_data["email"])
        # The same answer whether or not the address has an account, so nobody can find out.
        return Response(
            {"message": "If an account uses that address, we've sent it a link to choose a new password."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=PasswordResetConfirmInput, responses={204: None})
    def post(self, request: Request) -> Response:
        data = PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.person_password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
