"""Permission checks shared by the rosters services."""

from __future__ import annotations

from rest_framework import status

from accounts.models import Person
from scheduling.models import Roster
from scheduling.selectors import roster_role
from village.api import DomainError


def not_found() -> DomainError:
    # Same words as the API's 404 so "not there" and "not yours" look alike (privacy).
    return DomainError(
        "We couldn't find that. It may have been removed, or you may not have access.",
        code="not_found",
        status_code=status.HTTP_404_NOT_FOUND,
    )


def require_coordinator(*, roster: Roster, actor: Person | None) -> None:
    """404 for someone with no role on the roster, 403 for its volunteers; None is the system."""
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
