"""Reads for notifications: preferences, reminder lead times, the in-app inbox, failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.core import signing
from django.db.models import F, QuerySet

from accounts.models import Person
from notifications.channels import UNSUBSCRIBE_SALT
from notifications.models import Channel, Notification, NotificationPreference, Status

_read_once: ContextVar[dict[int, NotificationPreference] | None] = ContextVar(
    "preferences_read_once", default=None
)


@contextmanager
def preferences_read_once() -> Iterator[None]:
    """Within the block (or the function it decorates), each person's preferences are read once.

    One change that tells several people and plans their reminders otherwise asked for the same
    rows seven times (a claim). Only for blocks that do not change preferences themselves.
    """
    if _read_once.get() is not None:
        yield  # already inside one: share its reads
        return
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def preferences_get(*, person: Person) -> NotificationPreference:
    """The person's preferences; an unsaved row with the defaults when they never changed any."""
    memo = _read_once.get()
    if memo is not None and person.pk in memo:
        return memo[person.pk]
    preference = NotificationPreference.objects.filter(person=person).first()
    if preference is None:
        preference = NotificationPreference(person=person)
    preference.person = person  # spare the query when the caller reads the person's language
    if memo is not None:
        memo[person.pk] = preference
    return preference


def reminder_lead_times(*, person: Person) -> list[timedelta]:
    """How long before a commitment the person wants reminding, longest first (default 1 day, 2 h)."""
    minutes = preferences_get(person=person).reminder_lead_minutes or []
    return [timedelta(minutes=m) for m in sorted({int(m) for m in minutes}, reverse=True)]


def inbox_list(*, person: Person, unread: bool | None = None) -> QuerySet[Notification]:
    """In-app notifications the person can see (delivered), newest first."""
    queryset = Notification.objects.filter(recipient=person, channel=Channel.IN_APP, status=Status.SENT)
    if unread is True:
        queryset = queryset.filter(read_at__isnull=True)
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    return queryset.order_by("-sent_at", "-id")


def inbox_unread_count(*, person: Person) -> int:
    return inbox_list(person=person, unread=True).count()


def failed_notifications(*, context_key: str, value: int | str) -> QuerySet[Notification]:
    """Rows that could not be delivered whose ``context[context_key]`` is ``value``, newest first.

    The domain app that owns the key (``roster_id`` for schedule events) decides who may see
    them; the recipient comes along (``select_related``) for their name.
    """
    if not context_key.isidentifier() or "__" in context_key:  # a lookup would widen the filter
        raise ValueError(f"Not a context key: {context_key!r}")
    return (
        Notification.objects.filter(status=Status.FAILED, **{f"context__{context_key}": value})
        .select_related("recipient")
        .order_by(F("failed_at").desc(nulls_last=True), "-id")
    )


def unsubscribe_token_read(*, token: str) -> tuple[Person, str] | None:
    """The (person, kind) a one-click unsubscribe token names, or None when it is not ours."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        return None
    if not isinstance(data.get("p"), int):
        return None
    person = Person.objects.filter(pk=data["p"]).first()
    if person is None:
        return None
    return person, data["k"]
