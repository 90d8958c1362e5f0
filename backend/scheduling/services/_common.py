"""Helpers shared by the scheduling services: permission checks and input validation."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from rest_framework import status

from accounts.models import Person
from scheduling.models import Roster, Shift
from scheduling.selectors import roster_role
from village.api import DomainError, not_found

__all__ = ["not_found", "require_coordinator", "validate_capacity", "validate_window"]


def require_coordinator(*, roster: Roster, actor: Person | None) -> None:
    """None is the system (a scheduled job, another service that already checked)."""
    if actor is None:
        return
    role = roster_role(roster=roster, person=actor)
    if role is None:
        raise not_found()
    if role != "coordinator":
        raise DomainError(
            "Only a coordinator of this roster can do that.",
            code="permission_denied",
            status_code=status.HTTP_403_FORBIDDEN,
        )


def validate_window(*, starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise DomainError(
            "Give times with their offset or as UTC.", fields={"starts_at": ["Needs an offset."]}
        )
    if ends_at <= starts_at:
        raise DomainError(
            "The end time must be after the start time.",
            code="invalid_window",
            fields={"ends_at": ["Must be after the start time."]},
        )


def validate_capacity(capacity: int) -> None:
    if capacity < 1:
        raise DomainError(
            "A shift needs room for at least one person.",
            code="invalid_capacity",
            fields={"capacity": ["Must be at least 1."]},
        )


def lock_shift(shift_id: int) -> None:
    """Lock the shift row first, inside the caller's transaction.

    Every write that touches a shift and its sign-ups takes the shift's lock before any sign-up's,
    so two of them (a volunteer cancelling while a coordinator cancels the whole shift) queue
    instead of deadlocking. Claims get the same lock from their conditional UPDATE.
    """
    Shift.objects.select_for_update().filter(pk=shift_id).values_list("pk", flat=True).first()
