"""API token authentication with the token read prepared once (see ``village.prepared``).

DRF's ``TokenAuthentication`` builds ``Token.objects.select_related("user").get(key=…)`` on every
request; compiling that cost about as much as the list query it guards. Same rules, same messages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from village.prepared import PreparedQuery


def _token_with_person(*, key: str) -> Any:
    return Token.objects.select_related("user").filter(key=key)[:1]


# No generated key has a colon: where this lands in the parameters is where a request's key goes.
_token = PreparedQuery(_token_with_person, key="prepared:token-key")


class PreparedTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        token = _token.first(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
