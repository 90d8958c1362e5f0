"""The "circle" invitation target: how an accounts invitation admits someone into a circle.

Registered in ``PracticalConfig.ready()`` with ``accounts.invitations``, so accounts never
needs to know what a circle is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from practical import services
from practical.models import Circle
from practical.selectors import circle_role

if TYPE_CHECKING:
    from accounts.models import Invitation, Person


def circle_can_invite(person: Person, circle_id: int) -> bool:
    """Only the circle's coordinators (its own or its organisation's) invite; False when it is gone.

    A closed circle takes no one new: its family has finished with it.
    """
    circle = Circle.objects.select_related("roster").filter(pk=circle_id).first()
    if circle is None or circle.status == Circle.Status.CLOSED:
        return False
    return circle_role(circle=circle, person=person) == "coordinator"


def circle_accept(person: Person, invitation: Invitation, status: str) -> None:
    """Make the person a member of the circle's roster with the invitation's role and ``status``."""
    circle = Circle.objects.get(pk=invitation.target_id)
    services.circle_membership_join(circle=circle, person=person, role=invitation.role, status=status)


def circle_describe(circle_id: int) -> dict[str, Any]:
    """What the invitation preview shows: the circle's name, nothing private."""
    return {"name": Circle.objects.values_list("name", flat=True).get(pk=circle_id)}
