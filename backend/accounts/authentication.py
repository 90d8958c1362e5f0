"""API token authentication: DRF's, with the token and its person read by one precompiled statement.

Every API request a partner app or script makes starts here, and the ORM's building of
``select_related("user").get(key=...)`` cost more than running it. The read lives here rather than
in ``accounts.selectors`` because DRF imports this module while its own views load, before the
selectors' imports (``village.api`` imports those views) could finish.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from village.compiled import CompiledQuery


def _token_with_person(*, key: str) -> Any:
    from rest_framework.authtoken.models import Token

    return Token.objects.select_related("user").filter(key=key)


_TOKEN = CompiledQuery(_token_with_person, key=str)


def api_token(*, key: str) -> Any:
    """The API token with that key, its person loaded (``token.user``), or None."""
    return _TOKEN.first(key=key)


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token …``, answered exactly as DRF's, with the token read by ``api_token``."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = api_token(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
