"""Apps above accounts hear, inside the transaction, which of a person's fields really changed."""

from __future__ import annotations

import pytest

from accounts import hooks
from accounts.services import person_update
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard(monkeypatch):
    calls: list[tuple[int, list[str]]] = []
    monkeypatch.setattr(
        hooks, "_listeners", [lambda person, changed: calls.append((person.pk, list(changed)))]
    )
    return calls


def test_person_update_tells_listeners_only_what_changed(heard):
    person = PersonFactory(name="Ana", time_zone="America/New_York")

    person_update(person=person, name=" Ana ", time_zone="America/Chicago", language="en")
    person_update(person=person, time_zone="America/Chicago")

    assert heard == [(person.pk, ["time_zone"])]


def test_register_person_updated_twice_registers_once(monkeypatch):
    monkeypatch.setattr(hooks, "_listeners", [])

    def listener(person, changed):
        return None

    hooks.register_person_updated(listener)
    hooks.register_person_updated(listener)

    assert hooks._listeners == [listener]
