"""Factories for calendar tests: circles with requests, shifts at fixed local times."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from accounts.models import Role
from practical.models import Circle, Contribution, HelpRequest
from scheduling.models import Roster, Shift, Signup
from tests.factories import (
    CircleFactory,
    PersonFactory,
    RosterFactory,
    RosterMembershipFactory,
    ShiftFactory,
    SignupFactory,
)

NEW_YORK = ZoneInfo("America/New_York")


def local(*args: int, zone: ZoneInfo = NEW_YORK) -> datetime:
    """An aware datetime at this wall-clock time in ``zone`` (default America/New_York)."""
    return datetime(*args, tzinfo=zone)  # type: ignore[misc]


def circle_with_members(**kwargs: Any) -> tuple[Circle, Any, Any]:
    """A circle, its coordinator (the family) and one invited volunteer."""
    circle = CircleFactory(**kwargs)
    family = PersonFactory(name="Maria Lopez")
    RosterMembershipFactory(roster=circle.roster, person=family, role=Role.COORDINATOR)
    volunteer = PersonFactory(name="Ana Smith")
    RosterMembershipFactory(roster=circle.roster, person=volunteer, role=Role.VOLUNTEER)
    return circle, family, volunteer


def help_shift(
    circle: Circle, *, starts_at: datetime, kind: str = HelpRequest.Kind.MEAL, **kwargs: Any
) -> Shift:
    """A help request's shift on the circle's roster."""
    kwargs.setdefault("ends_at", starts_at + timedelta(hours=1))
    kwargs.setdefault("title", "Dinner")
    shift = ShiftFactory(roster=circle.roster, starts_at=starts_at, **kwargs)
    HelpRequest.objects.create(shift=shift, circle=circle, kind=kind)
    return shift


def claim(shift: Shift, person: Any, *, dish: str = "", status: str = Signup.Status.CONFIRMED) -> Signup:
    """A sign-up (and the shift's counter, which SignupFactory leaves alone)."""
    signup = SignupFactory(shift=shift, person=person, status=status)
    if status == Signup.Status.CONFIRMED:
        Shift.objects.filter(pk=shift.pk).update(filled=shift.filled + 1)
        shift.refresh_from_db()
    if dish:
        Contribution.objects.create(signup=signup, dish=dish)
    return signup


def duty_roster(**kwargs: Any) -> Roster:
    return RosterFactory(**kwargs)
