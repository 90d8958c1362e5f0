"""Pausing a circle tells the people holding its commitments, once, in their language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import MembershipStatus, Role
from notifications.models import Notification
from notifications.rendering import render_notification
from scheduling.models import Shift, Signup
from tests.factories import (
    CircleFactory,
    PersonFactory,
    RosterMembershipFactory,
    ShiftFactory,
    SignupFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Argon2 is right for real people and far too slow for dozens of factory people per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _member(circle, status=MembershipStatus.ACTIVE, **person):
    return RosterMembershipFactory(roster=circle.roster, status=status, person=PersonFactory(**person)).person


def test_circle_pause_tells_holders_of_future_commitments(login):
    circle = CircleFactory(name="The Garcías", roster__time_zone="America/Chicago")
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    holder = _member(circle, name="Bea")
    waiting = _member(circle, name="Wes", language="es")
    past_only = _member(circle)
    cancelled_only = _member(circle)
    removed = _member(circle, status=MembershipStatus.REMOVED)
    outsider = PersonFactory()  # a stray sign-up without membership must not learn the name

    dinner = ShiftFactory(
        roster=circle.roster, title="Dinner", starts_at=datetime(2030, 3, 12, 23, 0, tzinfo=UTC)
    )
    SignupFactory(shift=dinner, person=holder)
    SignupFactory(shift=dinner, person=waiting, status=Signup.Status.WAITLISTED)
    SignupFactory(shift=dinner, person=cancelled_only, status=Signup.Status.CANCELLED)
    SignupFactory(shift=dinner, person=removed)
    SignupFactory(shift=dinner, person=outsider)
    past = ShiftFactory(roster=circle.roster, starts_at=timezone.now() - timedelta(days=2))
    SignupFactory(shift=past, person=past_only)
    gone = ShiftFactory(roster=circle.roster, status=Shift.Status.CANCELLED)
    SignupFactory(shift=gone, person=past_only)

    assert login(coordinator).post(f"/api/v1/circles/{circle.pk}/pause/").status_code == 200

    told = Notification.objects.filter(kind="circle_paused")
    assert sorted({row.recipient_id for row in told}) == sorted([holder.pk, waiting.pk])
    english = render_notification(told.filter(recipient=holder).first())
    assert english.subject == "The Garcías has paused their help requests"
    assert "- Dinner, Tuesday 12 March, 18:00" in english.text
    assert "America/Chicago" in english.text
    spanish = render_notification(told.filter(recipient=waiting).first())
    assert spanish.subject == "The Garcías ha pausado sus pedidos de ayuda"
    assert "- Dinner, martes 12 marzo, 18:00 (estás en la lista de espera)" in spanish.text


def test_circle_pause_again_later_is_news_but_a_no_op_pause_is_not(login):
    circle = CircleFactory()
    coordinator = RosterMembershipFactory(roster=circle.roster, role=Role.COORDINATOR).person
    holder = _member(circle)
    SignupFactory(shift=ShiftFactory(roster=circle.roster), person=holder)
    client = login(coordinator)
    for action in ("pause", "pause", "resume", "pause"):
        client.post(f"/api/v1/circles/{circle.pk}/{action}/")
    keys = set(Notification.objects.filter(recipient=holder).values_list("key", flat=True))
    assert len(keys) == 2
