"""Reads for calendars: feed tokens, who may still read a feed, single-event downloads.

Feed contents live in ``calendars.events`` and their fingerprint in ``calendars.fingerprint``;
both are re-exported here so callers have one place to read from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import connection

from accounts.models import Person
from calendars.events import CANCELLED_KEPT_FOR, Rendered, feed_render, signup_render
from calendars.fingerprint import Fingerprint, feed_fingerprint
from calendars.models import FeedToken
from practical.models import Circle
from scheduling.models import Roster, Signup
from scheduling.selectors import roster_role

__all__ = [
    "CANCELLED_KEPT_FOR",
    "Fingerprint",
    "Rendered",
    "feed_fingerprint",
    "feed_render",
    "feed_subject",
    "feed_token_by_secret",
    "feed_token_ever_issued",
    "feed_token_live",
    "hash_token",
    "signup_for_download",
    "signup_render",
]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class _TokenQuery:
    sql: str
    params: tuple[Any, ...]
    hash_at: int
    token_attnames: list[str]
    owner_attnames: list[str]
    # (column index, the column, the converters Django runs on it): booleans on SQLite, say.
    converters: tuple[tuple[int, Any, tuple[Any, ...]], ...]


_token_queries: dict[str, _TokenQuery] = {}
# No SHA-256 hex digest looks like this: where it lands in the parameters is where a request's goes.
_HASH_SENTINEL = "not-a-token-hash:" + "0" * 47


def _token_query() -> _TokenQuery:
    """``select_related("owner")`` on the live token row, compiled once per process and backend.

    Every calendar poll starts here, and building the query through the ORM cost more than
    running it; its shape never changes, so only the parameter does.
    """
    found = _token_queries.get(connection.vendor)
    if found is not None:
        return found
    queryset = FeedToken.objects.select_related("owner").filter(
        token_hash=_HASH_SENTINEL, revoked_at__isnull=True
    )[:1]
    compiler = queryset.query.get_compiler(using=connection.alias)
    sql, params = compiler.as_sql()
    targets = [column.target for column, _sql, _alias in compiler.select]
    token_fields, owner_fields = list(FeedToken._meta.concrete_fields), list(Person._meta.concrete_fields)
    # Rows are split by position below: the select must be the token's columns, then the owner's.
    if targets != token_fields + owner_fields or list(params).count(_HASH_SENTINEL) != 1:
        raise RuntimeError("Feed token SQL is not the shape it is read as")
    query = _TokenQuery(
        sql=sql,
        params=tuple(params),
        hash_at=list(params).index(_HASH_SENTINEL),
        token_attnames=[f.attname for f in token_fields],
        owner_attnames=[f.attname for f in owner_fields],
        converters=tuple(
            (index, column, tuple(found_converters))
            for index, (found_converters, column) in compiler.get_converters(
                [column for column, _sql, _alias in compiler.select]
            ).items()
        ),
    )
    _token_queries[connection.vendor] = query
    return query


def feed_token_by_secret(*, token: str) -> FeedToken | None:
    """The live token row for a secret from a feed URL, or None (unknown, rotated or revoked)."""
    query = _token_query()
    with connection.cursor() as cursor:
        params = list(query.params)
        params[query.hash_at] = hash_token(token)
        cursor.execute(query.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, column, converters in query.converters:
        value = values[index]
        for converter in converters:
            value = converter(value, column, connection)
        values[index] = value
    split = len(query.token_attnames)
    found = FeedToken.from_db(connection.alias, query.token_attnames, values[:split])
    owner = Person.from_db(connection.alias, query.owner_attnames, values[split:])
    FeedToken.owner.field.set_cached_value(found, owner)
    return found


def feed_token_live(*, owner: Person, scope: str, scope_id: int) -> FeedToken | None:
    return FeedToken.objects.filter(
        owner=owner, scope=scope, scope_id=scope_id, revoked_at__isnull=True
    ).first()


def feed_token_ever_issued(*, owner: Person, scope: str, scope_id: int) -> bool:
    return FeedToken.objects.filter(owner=owner, scope=scope, scope_id=scope_id).exists()


# --- Access ---------------------------------------------------------------------------------------


def feed_subject(*, token: FeedToken) -> Circle | Roster | Person | None:
    """What the feed shows, if its owner may still see it (else None: the feed answers 404).

    A circle or roster feed belongs to a coordinator; once they stop being one, their old URL
    stops answering, without anyone having to remember to revoke it.
    """
    owner = token.owner
    if not owner.is_active:
        return None
    if token.scope == FeedToken.Scope.PERSON:
        return owner if token.scope_id == owner.pk else None
    if token.scope == FeedToken.Scope.CIRCLE:
        circle = Circle.objects.select_related("roster").filter(pk=token.scope_id).first()
        if circle is None or roster_role(roster=circle.roster, person=owner) != "coordinator":
            return None
        return circle
    roster = Roster.objects.select_related("circle").filter(pk=token.scope_id).first()
    if roster is None or roster_role(roster=roster, person=owner) != "coordinator":
        return None
    return roster


def signup_for_download(*, signup_id: int, person: Person) -> Signup | None:
    """The sign-up if ``person`` holds it or coordinates its roster, else None (answer 404)."""
    signup = Signup.objects.select_related("shift__roster").filter(pk=signup_id).first()
    if signup is None:
        return None
    if signup.person_id == person.pk:
        return signup
    if roster_role(roster=signup.shift.roster, person=person) == "coordinator":
        return signup
    return None
