"""Writes for calendars: issuing, rotating and revoking feed tokens; single-event downloads.

Only a token's SHA-256 is stored, so the plain token (and so the feed URL) can be shown only
when it is issued or rotated. A person who lost their URL rotates it: the old one stops
answering and calendars subscribed to it must be re-subscribed — the honest price of never
keeping a usable secret at rest.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Person
from calendars.models import FeedToken
from calendars.selectors import feed_token_ever_issued, feed_token_live, hash_token, signup_render
from practical.models import Circle
from practical.services import address_read_record
from scheduling.models import Signup
from scheduling.selectors import roster_role

# Writing last_used_at on every poll would turn 100 reads/s into 100 writes/s; an hour is
# precise enough to tell a person "this feed is still being read".
LAST_USED_PRECISION = timedelta(hours=1)


@dataclass(frozen=True)
class IssuedFeed:
    """A token row plus, only right after issuing, the plain secret for the URL."""

    token: FeedToken | None
    secret: str | None


def _issue(*, owner: Person, scope: str, scope_id: int) -> IssuedFeed:
    secret = secrets.token_urlsafe(32)
    token = FeedToken.objects.create(
        owner=owner, scope=scope, scope_id=scope_id, token_hash=hash_token(secret)
    )
    return IssuedFeed(token=token, secret=secret)


def feed_get_or_issue(*, owner: Person, scope: str, scope_id: int) -> IssuedFeed:
    """The live feed of this scope; on the very first call, a new one with its secret.

    After an explicit revoke nothing is issued again until the person rotates: a revoke must
    stay a revoke even if the page that shows feeds is opened again.
    """
    live = feed_token_live(owner=owner, scope=scope, scope_id=scope_id)
    if live is not None:
        return IssuedFeed(token=live, secret=None)
    if feed_token_ever_issued(owner=owner, scope=scope, scope_id=scope_id):
        # Read again: another request may have issued it between the two reads.
        return IssuedFeed(token=feed_token_live(owner=owner, scope=scope, scope_id=scope_id), secret=None)
    try:
        with transaction.atomic():
            return _issue(owner=owner, scope=scope, scope_id=scope_id)
    except IntegrityError:
        # Another request issued it a moment ago (unique live token per scope); show that one.
        return IssuedFeed(token=feed_token_live(owner=owner, scope=scope, scope_id=scope_id), secret=None)


def feed_rotate(*, owner: Person, scope: str, scope_id: int) -> IssuedFeed:
    """Revoke the live feed URL (it answers 404 from now on) and issue a new one."""
    with transaction.atomic():
        FeedToken.objects.filter(owner=owner, scope=scope, scope_id=scope_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        return _issue(owner=owner, scope=scope, scope_id=scope_id)


def feed_revoke(*, owner: Person, scope: str, scope_id: int) -> None:
    """Stop the live feed URL answering; nothing new is issued until the person rotates."""
    FeedToken.objects.filter(owner=owner, scope=scope, scope_id=scope_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_mark_used(*, token: FeedToken, now: datetime) -> None:
    """Remember that a calendar read the feed, at most once per ``LAST_USED_PRECISION``."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def feed_note_etag(*, token: FeedToken, etag: str, now: datetime) -> datetime:
    """When the feed first answered with ``etag``: the Last-Modified to send with it.

    Written only when the ETag changes, so a poll of an unchanged feed writes nothing.
    """
    if token.etag == etag and token.etag_changed_at is not None:
        return token.etag_changed_at
    changed_at = now.replace(microsecond=0)
    if token.etag_changed_at is not None and changed_at <= token.etag_changed_at:
        # HTTP dates have whole seconds: two changes within one second must still give a later
        # Last-Modified, or an If-Modified-Since client would be told nothing changed.
        changed_at = token.etag_changed_at + timedelta(seconds=1)
    FeedToken.objects.filter(pk=token.pk).update(etag=etag, etag_changed_at=changed_at)
    token.etag, token.etag_changed_at = etag, changed_at
    return changed_at


def feed_record_address_reads(*, person: Person, circles: list[Circle], via: str) -> None:
    """Record that a volunteer's calendar file carried a family's address (the family sees it).

    Only renders count (a 304 shows nothing new), and coordinators are not recorded: the
    address is theirs to see, as in the circle API.
    """
    for circle in circles:
        if roster_role(roster=circle.roster, person=person) != "coordinator":
            address_read_record(circle=circle, person=person, via=via)


def signup_ics(*, signup: Signup, person: Person) -> bytes:
    """One commitment as an iCalendar file (METHOD:PUBLISH), to download or attach to an e-mail.

    The event has the same UID as in the holder's feed (``signup-<id>@village``), so importing
    it and subscribing to the feed never shows the commitment twice. ``person`` is who will
    read it: the family's address is in LOCATION only if they may see it now (and that showing
    is recorded for the family).
    """
    rendered = signup_render(signup=signup, person=person, now=timezone.now())
    feed_record_address_reads(person=person, circles=rendered.addresses_shown, via="calendar:download")
    return rendered.body
