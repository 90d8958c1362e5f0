"""API token authentication: DRF's, with the token and its person read by one precompiled statement.

Every API request a partner app or script makes starts here, and the ORM's building of
``select_related("user").get(key=...)`` cost more than running it. The read lives here rather than
in ``accounts.selectors`` because DRF imports this module while its own views load, before the
selectors' imports (``village.api`` imports those views) could finish.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from village.compiled import CompiledQuery


@cache
def _person_columns() -> tuple[str, ...]:
    from accounts.models import Person

    return tuple(field.attname for field in Person._meta.concrete_fields)


def _token_row(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(key=key).values("created", *(f"user__{n}" for n in _person_columns()))


_TOKEN = CompiledQuery(_token_row, key=str)


def api_token(*, key: str) -> Any:
    """The API token with that key, its person loaded (``token.user``), or None."""
    from rest_framework.authtoken.models import Token

    from accounts.models import Person

    rows = _TOKEN.rows(key=key)
    if not rows:
        return None
    [row] = rows  # the key is the primary key
    columns = _person_columns()
    person = Person.from_db(connection.alias, columns, [row[f"user__{n}"] for n in columns])
    token = Token.from_db(connection.alias, ["key", "user_id", "created"], [key, person.pk, row["created"]])
    Token.user.field.set_cached_value(token, person)
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token …``, answered exactly as DRF's, with the token read by ``api_token``."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token = api_token(key=key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token
