"""Coordinators' changes to other people's places, told to the apps that keep a record of them.

The engine makes these changes (assign, take off, decline a late cancel, mark kept or missed)
for every roster alike, but only the app that owns a roster knows whether somebody must be able
to read them back: practical keeps a circle's audit log, which the family reads. Apps register a
hook in their ``AppConfig.ready()``; the engine calls every hook inside the transaction of the
change, so the record and the change are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Person
from scheduling.models import Signup

SIGNUP_ASSIGNED = "signup_assigned"
SIGNUP_UNASSIGNED = "signup_unassigned"
CANCEL_REQUEST_DECLINED = "cancel_request_declined"
SIGNUP_COMPLETED = "signup_completed"
SIGNUP_NO_SHOW = "signup_no_show"


@dataclass(frozen=True)
class CoordinatorAction:
    action: str
    actor: Person
    signup: Signup
    detail: dict[str, Any] = field(default_factory=dict)


CoordinatorActionHook = Callable[[CoordinatorAction], None]

_hooks: list[CoordinatorActionHook] = []


def register_coordinator_action_hook(hook: CoordinatorActionHook) -> None:
    """Add a hook told of every coordinator action. Registering the same function twice is a no-op."""
    if hook not in _hooks:
        _hooks.append(hook)


def coordinator_action_tell(*, action: str, actor: Person, signup: Signup, **detail: Any) -> None:
    """Tell every registered hook; call it inside the transaction of the change it describes."""
    told = CoordinatorAction(action=action, actor=actor, signup=signup, detail=detail)
    for hook in _hooks:
        hook(told)
