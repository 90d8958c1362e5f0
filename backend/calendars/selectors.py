"""Reads for calendars: feed tokens, who may still read a feed, single-event downloads.

Feed contents live in ``calendars.events`` and their fingerprint in ``calendars.fingerprint``;
both are re-exported here so callers have one place to read from.
"""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet

from accounts.models import Person
from calendars.events import CANCELLED_KEPT_FOR, Rendered, feed_render, signup_render
from calendars.fingerprint import Fingerprint, feed_fingerprint
from calendars.models import FeedToken
from practical.models import Circle
from scheduling.models import Roster, Signup
from scheduling.selectors import roster_role
from village.compiled import CompiledQuery

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


def _live_token_with_owner(*, token_hash: str) -> QuerySet[FeedToken]:
    return FeedToken.objects.select_related("owner").filter(token_hash=token_hash, revoked_at__isnull=True)


# Every calendar poll starts here, and building the query through the ORM cost more than running it.
_LIVE_TOKEN = CompiledQuery(_live_token_with_owner, token_hash=str)


def feed_token_by_secret(*, token: str) -> FeedToken | None:
    """The live token row for a secret from a feed URL, or None (unknown, rotated or revoked)."""
    found: FeedToken | None = _LIVE_TOKEN.first(token_hash=hash_token(token))
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
