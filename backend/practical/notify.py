"""Who is told what when something changes in a circle: the place the circle's messages are decided.

Services call these inside their transaction; each will write outbox rows through
``notifications.services`` (delivered after commit), so a message is never lost or sent for a
change that was rolled back.
"""

from __future__ import annotations

from accounts.models import Person
from practical.models import Circle, HelpRequest
from scheduling.models import Signup


def circle_paused(circle: Circle) -> None:
    """Tell everyone holding a commitment in ``circle`` that the family has paused it.

    Deliberately a no-op for now: the notifications outbox (``notifications.services``) is
    being built alongside. When it lands, this tells each holder of a confirmed sign-up on a
    future shift of ``circle.roster`` that the circle is paused and their commitment still
    stands until they or a coordinator cancel it.
    """
    return None


def volunteer_thanked(*, signup: Signup, help_request: HelpRequest, by: Person, message: str) -> None:
    """The family thanked the volunteer who held ``signup`` on ``help_request``.

    Deliberately a no-op for now (help requests, ``practical.help.services.signup_thank``): when
    the notifications outbox lands, this tells ``signup.person`` — in the app and by e-mail,
    as their preferences say — that ``by`` thanked them, with ``message`` (at most 500
    characters, already stored in ``help_request.details["_thanks"][str(signup.pk)]``). It is
    called once per sign-up: thanking again only edits the stored words.
    """
    return None
