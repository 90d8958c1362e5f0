"""Who wants to hear that a person changed: a registry the apps above accounts fill in.

accounts cannot call them (they sit above it), so an app registers in ``AppConfig.ready()``::

    register_person_updated(on_person_updated)   # fn(person, changed_field_names)

``person_update`` calls every listener inside its transaction, with the names of the fields
whose value really changed, so a listener's writes commit or roll back with the change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import Person

PersonUpdated = Callable[["Person", Collection[str]], object]
_listeners: list[PersonUpdated] = []


def register_person_updated(fn: PersonUpdated) -> None:
    """Call ``fn(person, changed)`` after each change of a person; registering twice is a no-op."""
    if fn not in _listeners:
        _listeners.append(fn)


def person_updated(*, person: Person, changed: Collection[str]) -> None:
    for listener in list(_listeners):
        listener(person, changed)
