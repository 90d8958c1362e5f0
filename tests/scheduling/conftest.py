from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Person, Role
from scheduling.models import Roster, Shift
from tests.factories import PersonFactory, RosterFactory, RosterMembershipFactory, ShiftFactory


@pytest.fixture
def roster(db) -> Roster:
    return RosterFactory(name="Helpline")


@pytest.fixture
def coordinator(roster: Roster) -> Person:
    return RosterMembershipFactory(roster=roster, role=Role.COORDINATOR).person


@pytest.fixture
def volunteer_on(roster: Roster) -> Callable[..., Person]:
    """Makes a new volunteer on the roster (or on another one given)."""

    def make(on: Roster | None = None, **kwargs) -> Person:
        person = PersonFactory(**kwargs)
        RosterMembershipFactory(roster=on or roster, person=person, role=Role.VOLUNTEER)
        return person

    return make


@pytest.fixture
def volunteer(volunteer_on) -> Person:
    return volunteer_on(name="Vera")


@pytest.fixture
def shift(roster: Roster) -> Shift:
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    return ShiftFactory(
        roster=roster, title="Evening line", starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=2
    )


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # Argon2 is deliberately slow; factories hash a password for every person they make.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
