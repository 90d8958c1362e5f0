"""Auto-fill through the API: the coordinator's journey, bad input, permissions, acceptance."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from rosters.models import AutofillProposal, AvailabilityException, AvailabilityWindow
from scheduling.models import PersonQualification, Shift, Signup
from scheduling.services import signup_claim
from tests.rosters.factories import ShiftTemplateFactory, next_monday, org_with_roster

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short_solve(settings):
    settings.ROSTERS_AUTOFILL_SECONDS = 5


def _as(client: APIClient, person) -> APIClient:
    client.force_authenticate(person)
    return client


def test_autofill_journey_month_of_helpline_shifts(login):
    org = org_with_roster(volunteers=8)
    coordinator = login(org.coordinator)
    spanish = coordinator.post(
        "/api/v1/qualifications/",
        {"organisation": org.organisation.pk, "code": "spanish", "name": "Spanish speaker"},
        format="json",
    ).json()
    speakers = org.volunteers[:3]
    for person in speakers:
        granted = coordinator.post(
            f"/api/v1/qualifications/{spanish['id']}/grants/", {"person": person.pk}, format="json"
        )
        assert granted.status_code == 201
    template = coordinator.post(
        f"/api/v1/rosters/{org.roster.pk}/templates/",
        {
            "title": "Helpline (phone/text, English and Spanish)",
            "weekdays": [0, 1, 2, 3, 4],
            "start_time": "18:00",
            "duration": "03:00:00",
            "capacity": 2,
            "requirements": [{"qualification": spanish["id"], "count": 1}],
            "call_link": "https://meet.example.org/helpline",
        },
        format="json",
    )
    assert template.status_code == 201
    start = next_monday()
    end = start + timedelta(days=27)
    generated = coordinator.post(
        f"/api/v1/rosters/{org.roster.pk}/generate/",
        {"start": start.isoformat(), "end": end.isoformat()},
        format="json",
    )
    assert generated.json()["created"] == 20
    rng = {"start": start.isoformat(), "end": end.isoformat()}
    before = coordinator.get(f"/api/v1/rosters/{org.roster.pk}/coverage/", rng).json()
    assert before["totals"] == {"shifts": 20, "places": 40, "filled": 0, "open": 40, "fill_rate": 0.0}

    # Volunteers state their own availability and limits.
    for person in org.volunteers:
        me = login(person)
        assert (
            me.put(
                "/api/v1/me/limits/", {"max_shifts_per_week": 2, "min_rest_hours": 24}, format="json"
            ).status_code
            == 200
        )
    mon_tue_evenings = {"windows": [{"weekday": d, "start": "17:00", "end": "22:00"} for d in (0, 1)]}
    evenings_only = org.volunteers[3:5]
    for person in evenings_only:
        assert (
            login(person).put("/api/v1/me/availability/", mon_tue_evenings, format="json").status_code == 200
        )
    away_person = org.volunteers[5]
    week2 = start + timedelta(days=7)
    login(away_person).post(
        "/api/v1/me/availability/exceptions/",
        {
            "starts_at": f"{week2.isoformat()}T00:00:00-05:00",
            "ends_at": f"{(week2 + timedelta(days=7)).isoformat()}T00:00:00-05:00",
        },
        format="json",
    )

    proposed = coordinator.post(f"/api/v1/rosters/{org.roster.pk}/autofill/", rng, format="json")
    assert proposed.status_code == 201, proposed.json()
    proposal = proposed.json()
    assert proposal["solver_status"] == "OPTIMAL"
    assert (proposal["places_filled"], proposal["coverage_bound"], proposal["open_places"]) == (40, 40, 40)
    assert proposal["unfilled"] == []
    assert proposal["time_zone"] == "America/New_York"

    accepted = coordinator.post(f"/api/v1/autofill/{proposal['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["acceptance"]["created"] == 40
    assert accepted.json()["acceptance"]["skipped"] == []

    # Every constraint holds in the resulting sign-ups.
    signups = list(Signup.objects.filter(status=Signup.Status.CONFIRMED).select_related("shift", "person"))
    assert len(signups) == 40
    assert set(Shift.objects.values_list("filled", flat=True)) == {2}
    speaker_ids = set(PersonQualification.objects.values_list("person_id", flat=True))
    by_shift = defaultdict(list)
    by_person = defaultdict(list)
    for s in signups:
        by_shift[s.shift_id].append(s.person_id)
        by_person[s.person_id].append(s.shift)
    assert all(speaker_ids & set(people) for people in by_shift.values())
    for _pid, shifts in by_person.items():
        weeks = Counter(sh.starts_at.isocalendar()[1] for sh in shifts)
        assert max(weeks.values()) <= 2
        ordered = sorted(shifts, key=lambda sh: sh.starts_at)
        assert all(b.starts_at - a.ends_at >= timedelta(hours=24) for a, b in itertools.pairwise(ordered))
    for person in evenings_only:
        assert {sh.starts_at.astimezone(sh.starts_at.tzinfo).weekday() for sh in by_person[person.pk]} <= {
            0,
            1,
        }
        assert AvailabilityWindow.objects.filter(person=person).count() == 2
    away = AvailabilityException.objects.get(person=away_person)
    assert all(
        not (sh.starts_at < away.ends_at and away.starts_at < sh.ends_at) for sh in by_person[away_person.pk]
    )
    # Fairest possible: the three Spanish speakers must cover one place on each of the 20 shifts
    # (7, 7, 6); the other 20 places spread evenly, 4 each, over the five who don't speak it.
    assert sorted(len(v) for v in by_person.values()) == [4, 4, 4, 4, 4, 6, 7, 7]
    assert {len(by_person[p.pk]) for p in speakers} <= {6, 7}

    after = coordinator.get(f"/api/v1/rosters/{org.roster.pk}/coverage/", rng).json()
    assert after["totals"]["fill_rate"] == 1.0


def test_autofill_over_a_year_or_backwards_is_refused_and_writes_nothing(login):
    org = org_with_roster()
    start = next_monday()
    url = f"/api/v1/rosters/{org.roster.pk}/autofill/"
    client = login(org.coordinator)
    year = client.post(
        url, {"start": start.isoformat(), "end": (start + timedelta(days=365)).isoformat()}, format="json"
    )
    assert year.status_code == 400
    assert year.json()["error"]["code"] == "range_too_long"
    assert (
        client.post(
            url, {"start": start.isoformat(), "end": (start + timedelta(days=62)).isoformat()}, format="json"
        ).status_code
        == 400
    )
    assert (
        client.post(
            url, {"start": start.isoformat(), "end": (start - timedelta(days=1)).isoformat()}, format="json"
        ).status_code
        == 400
    )
    assert (
        client.post(
            url, {"start": start.isoformat(), "end": start.isoformat(), "extra": 1}, format="json"
        ).status_code
        == 400
    )
    assert AutofillProposal.objects.count() == 0


def test_autofill_permissions(login):
    org = org_with_roster(volunteers=1)
    stranger = org_with_roster().coordinator
    start = next_monday()
    body = {"start": start.isoformat(), "end": start.isoformat()}
    url = f"/api/v1/rosters/{org.roster.pk}/autofill/"
    assert login(org.volunteers[0]).post(url, body, format="json").status_code == 403
    assert login(stranger).post(url, body, format="json").status_code == 404
    assert AutofillProposal.objects.count() == 0
    proposal = login(org.coordinator).post(url, body, format="json").json()
    assert login(org.volunteers[0]).get(f"/api/v1/autofill/{proposal['id']}/").status_code == 403
    assert login(stranger).get(f"/api/v1/autofill/{proposal['id']}/").status_code == 404
    assert (
        login(stranger).post(f"/api/v1/autofill/{proposal['id']}/accept/", {}, format="json").status_code
        == 404
    )
    assert (
        login(org.volunteers[0])
        .post(f"/api/v1/autofill/{proposal['id']}/accept/", {}, format="json")
        .status_code
        == 403
    )


def _two_shift_proposal(login):
    org = org_with_roster(volunteers=2)
    ShiftTemplateFactory(roster=org.roster, weekdays=[0, 2], capacity=1)
    start = next_monday()
    rng = {"start": start.isoformat(), "end": (start + timedelta(days=6)).isoformat()}
    client = login(org.coordinator)
    client.post(f"/api/v1/rosters/{org.roster.pk}/generate/", rng, format="json")
    proposal = client.post(f"/api/v1/rosters/{org.roster.pk}/autofill/", rng, format="json").json()
    assert proposal["places_filled"] == 2
    return org, client, proposal


def test_autofill_drop_one_assignment_then_accept(login):
    _org, client, proposal = _two_shift_proposal(login)
    dropped = proposal["assignments"][0]
    assert client.delete(f"/api/v1/autofill/{proposal['id']}/assignments/{dropped['id']}/").status_code == 204
    accepted = client.post(f"/api/v1/autofill/{proposal['id']}/accept/", {}, format="json").json()
    assert accepted["acceptance"]["created"] == 1
    assert Signup.objects.count() == 1
    assert Signup.objects.get().shift_id == proposal["assignments"][1]["shift"]
    # Accepted proposals are final: no second acceptance, no more trimming.
    assert client.post(f"/api/v1/autofill/{proposal['id']}/accept/", {}, format="json").status_code == 409
    gone = client.delete(f"/api/v1/autofill/{proposal['id']}/assignments/{proposal['assignments'][1]['id']}/")
    assert gone.status_code == 409


def test_autofill_drop_recomputes_places_filled_and_explains_the_freed_place(login):
    org, client, proposal = _two_shift_proposal(login)
    dropped, kept = proposal["assignments"]
    assert proposal["unfilled"] == []
    assert client.delete(f"/api/v1/autofill/{proposal['id']}/assignments/{dropped['id']}/").status_code == 204
    after = client.get(f"/api/v1/autofill/{proposal['id']}/").json()
    shift = Shift.objects.get(pk=dropped["shift"])
    local = shift.starts_at.astimezone(ZoneInfo(org.roster.time_zone))
    assert after["places_filled"] == 1
    assert after["unfilled"] == [
        {
            "shift": shift.pk,
            "title": shift.title,
            "starts_at": shift.starts_at.isoformat(),
            "places": 1,
            "reason": f"A coordinator took {dropped['person_name']} off this proposal for "
            f"{local:%a} {local.day} {local:%b} 18:00; assign someone yourself or run auto-fill again.",
        }
    ]
    assert [a["id"] for a in after["assignments"]] == [kept["id"]]


def test_autofill_accept_reports_what_changed_and_keeps_the_rest(login):
    org, client, proposal = _two_shift_proposal(login)
    first, second = proposal["assignments"]
    # Meanwhile someone else took the first place, and the second person went away.
    outsider = org_with_roster().volunteers[0]
    org.roster.memberships.create(person=outsider, role="volunteer")
    signup_claim(shift=Shift.objects.get(pk=first["shift"]), person=outsider)
    shift2 = Shift.objects.get(pk=second["shift"])
    AvailabilityException.objects.create(
        person_id=second["person"], starts_at=shift2.starts_at - timedelta(hours=1), ends_at=shift2.ends_at
    )
    accepted = client.post(f"/api/v1/autofill/{proposal['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["acceptance"]["created"] == 0
    reasons = {s["assignment"]: s["reason"] for s in body["acceptance"]["skipped"]}
    assert reasons[first["id"]].startswith("This slot was just taken")
    assert reasons[second["id"]].endswith("is now away at that time.")
    assert [a["status"] for a in body["assignments"]] == ["skipped", "skipped"]
    assert Signup.objects.filter(person_id__in=[first["person"], second["person"]]).count() == 0


def test_autofill_avoids_a_meal_the_volunteer_already_brings_to_a_circle(login):
    from tests.factories import CircleFactory, RosterMembershipFactory, ShiftFactory, SignupFactory

    org = org_with_roster(volunteers=2)
    busy, free = org.volunteers
    ShiftTemplateFactory(roster=org.roster, weekdays=[0], capacity=1)
    start = next_monday()
    rng = {"start": start.isoformat(), "end": start.isoformat()}
    client = login(org.coordinator)
    client.post(f"/api/v1/rosters/{org.roster.pk}/generate/", rng, format="json")
    helpline = Shift.objects.get(roster=org.roster)
    circle = CircleFactory()
    RosterMembershipFactory(roster=circle.roster, person=busy)
    dinner = ShiftFactory(
        roster=circle.roster, starts_at=helpline.starts_at + timedelta(minutes=30), capacity=1, title="Dinner"
    )
    SignupFactory(shift=dinner, person=busy)
    # The free volunteer did more lately, so fairness alone would pick the busy one.
    recent = ShiftFactory(roster=org.roster, starts_at=helpline.starts_at - timedelta(days=3))
    SignupFactory(shift=recent, person=free, status=Signup.Status.COMPLETED)
    proposal = client.post(f"/api/v1/rosters/{org.roster.pk}/autofill/", rng, format="json").json()
    assert [(a["shift"], a["person"]) for a in proposal["assignments"]] == [(helpline.pk, free.pk)]


def test_autofill_several_rosters_together_never_double_books(login):
    org = org_with_roster(volunteers=1)
    volunteer = org.volunteers[0]
    from tests.factories import RosterFactory

    visits = RosterFactory(organisation=org.organisation, name="Hospital visits")
    foreign = org_with_roster().roster
    ShiftTemplateFactory(roster=org.roster, weekdays=[0], capacity=1)
    ShiftTemplateFactory(roster=visits, weekdays=[0], capacity=1)  # the same evening
    start = next_monday()
    rng = {"start": start.isoformat(), "end": start.isoformat()}
    client = login(org.coordinator)
    for roster in (org.roster, visits):
        client.post(f"/api/v1/rosters/{roster.pk}/generate/", rng, format="json")
    refused = client.post(
        f"/api/v1/rosters/{org.roster.pk}/autofill/", {**rng, "rosters": [foreign.pk]}, format="json"
    )
    assert refused.status_code == 404
    proposal = client.post(
        f"/api/v1/rosters/{org.roster.pk}/autofill/", {**rng, "rosters": [visits.pk]}, format="json"
    ).json()
    assert proposal["rosters"] == [org.roster.pk, visits.pk]
    assert (proposal["open_places"], proposal["places_filled"]) == (2, 1)
    assert [a["person"] for a in proposal["assignments"]] == [volunteer.pk]
    assert [u["reason"].startswith("Everyone who could take") for u in proposal["unfilled"]] == [True]
