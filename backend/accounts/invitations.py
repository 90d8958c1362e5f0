"""What an invitation can admit to: a registry the owning apps fill in.

accounts knows how invitations are made, shared, previewed and used up, but not what a circle or
a roster is. The app owning a target kind registers three functions in its ``AppConfig.ready()``:

- ``can_invite(person, target_id) -> bool``: may this person invite into (and list or revoke the
  invitations of) that target? False also when the target does not exist.
- ``accept(person, invitation, status) -> None``: make the person a member with ``invitation.role``
  and ``status`` ("active", or "pending" when the invitation requires approval). Runs inside the
  accepting transaction; must be safe for someone who is already a member (never demote them).
- ``describe(target_id) -> dict``: at least ``{"name": ...}`` for the invitation preview; raise
  ``LookupError`` (or the model's ``DoesNotExist``) when the target is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist

if TYPE_CHECKING:
    from accounts.models import Invitation, Person


@dataclass(frozen=True)
class InvitationTarget:
    kind: str
    can_invite: Callable[[Person, int], bool]
    accept: Callable[[Person, Invitation, str], None]
    describe: Callable[[int], dict[str, Any]]


_targets: dict[str, InvitationTarget] = {}


def register_invitation_target(
    kind: str,
    *,
    can_invite: Callable[[Person, int], bool],
    accept: Callable[[Person, Invitation, str], None],
    describe: Callable[[int], dict[str, Any]],
) -> None:
    """Let invitations admit to ``kind``; registering a kind again replaces it (tests, reloads)."""
    _targets[kind] = InvitationTarget(kind=kind, can_invite=can_invite, accept=accept, describe=describe)


def invitation_target(kind: str) -> InvitationTarget | None:
    return _targets.get(kind)


def invitation_target_kinds() -> list[str]:
    return sorted(_targets)


def invitation_target_name(target: InvitationTarget, target_id: int) -> str | None:
    """The target's display name, or None when it no longer exists."""
    try:
        return str(target.describe(target_id)["name"])
    except (LookupError, ObjectDoesNotExist):
        return None
