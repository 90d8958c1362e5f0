"""Claiming help requests through the API: dishes, allergens, the childcare gate, pauses, thanks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from practical.help import rules
from practical.models import ChildcareApproval, Circle, Contribution, HelpRequest
from scheduling.models import PersonQualification, Qualification, Signup
from scheduling.services import FULL_MESSAGE
from tests.practical.help_factories import (
    add_volunteer,
    circle_with_people,
    fast_passwords,  # noqa: F401  (fixture)
    make_request,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_passwords")]


def _claim(client, help_request, **body):
    return client.post(f"/api/v1/requests/{help_request.pk}/claim/", body)


def _rows() -> tuple[int, int]:
    return Signup.objects.count(), Contribution.objects.count()


# --- the whole journey ---------------------------------------------------------------------------


def test_claim_meal_with_dish_then_cancel(login):
    people = circle_with_people()
    help_request = make_request(people)
    volunteer = login(people.volunteer)

    listed = volunteer.get(f"/api/v1/circles/{people.circle.pk}/requests/", {"kind": "meal", "open": "true"})
    assert [r["id"] for r in listed.json()["results"]] == [help_request.pk]

    response = _claim(volunteer, help_request, dish="Chicken soup", notes="In a glass dish")
    assert response.status_code == 201, response.json()
    data = response.json()
    signup = Signup.objects.get()
    assert data == {
        "signup": {
            "id": signup.pk,
            "shift": help_request.shift_id,
            "status": "confirmed",
            "offer_expires_at": None,
        },
        "contribution": {"dish": "Chicken soup", "contains_allergens": [], "notes": "In a glass dish"},
        "warnings": [],
    }
    help_request.shift.refresh_from_db()
    assert help_request.shift.filled == 1
    assert (
        volunteer.get(f"/api/v1/circles/{people.circle.pk}/requests/", {"open": "true"}).json()["count"] == 0
    )
    listed = volunteer.get(f"/api/v1/circles/{people.circle.pk}/requests/").json()["results"]
    assert [(r["id"], r["my_status"], r["filled"]) for r in listed] == [(help_request.pk, "confirmed", 1)]
    others = login(people.coordinator).get(f"/api/v1/circles/{people.circle.pk}/requests/").json()["results"]
    assert [r["my_status"] for r in others] == [None]

    commitments = volunteer.get("/api/v1/me/commitments/").json()
    assert [(c["id"], c["shift"]["id"]) for c in commitments["results"]] == [
        (signup.pk, help_request.shift_id)
    ]

    cancelled = volunteer.post(f"/api/v1/signups/{signup.pk}/cancel/", {})
    assert cancelled.status_code == 200, cancelled.json()
    help_request.shift.refresh_from_db()
    assert help_request.shift.filled == 0
    assert (
        volunteer.get(f"/api/v1/circles/{people.circle.pk}/requests/", {"open": "true"}).json()["count"] == 1
    )


def test_claim_full_request_answers_409_then_waitlist_gets_the_freed_place(login):
    people = circle_with_people()
    help_request = make_request(people)
    second = add_volunteer(people.circle)
    assert _claim(login(people.volunteer), help_request, dish="Soup").status_code == 201

    full = _claim(login(second), help_request, dish="Pie")
    assert full.status_code == 409
    assert full.json()["error"]["message"] == FULL_MESSAGE
    assert Signup.objects.filter(person=second).count() == 0
    assert Contribution.objects.count() == 1

    waiting = _claim(login(second), help_request, dish="Pie", join_waitlist=True)
    assert waiting.status_code == 201, waiting.json()
    assert waiting.json()["signup"]["status"] == "waitlisted"

    first_signup = Signup.objects.get(person=people.volunteer)
    assert login(people.volunteer).post(f"/api/v1/signups/{first_signup.pk}/cancel/", {}).status_code == 200
    offered = Signup.objects.get(person=second)
    assert offered.status == "offered"
    accepted = login(second).post(f"/api/v1/signups/{offered.pk}/accept-offer/", {})
    assert accepted.status_code == 200, accepted.json()
    offered.refresh_from_db()
    assert offered.status == "confirmed"
    assert offered.contribution.dish == "Pie"


def test_claim_twice_is_refused(login):
    people = circle_with_people()
    help_request = make_request(people, capacity=3)
    assert _claim(login(people.volunteer), help_request).status_code == 201
    again = _claim(login(people.volunteer), help_request, dish="More soup")
    assert again.status_code == 409
    assert _rows() == (1, 1)


def test_claim_refuses_unknown_fields(login):
    people = circle_with_people()
    help_request = make_request(people)
    response = _claim(login(people.volunteer), help_request, dish="Soup", allergens=["milk"])
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"allergens": ["This field is not recognised."]}
    assert _rows() == (0, 0)


@pytest.mark.parametrize(("who", "status"), [("stranger", 404), ("org_volunteer", 404)])
def test_claim_by_strangers_is_not_found(login, who, status):
    people = circle_with_people()
    help_request = make_request(people)
    assert _claim(login(getattr(people, who)), help_request, dish="Soup").status_code == status
    assert _rows() == (0, 0)


def test_claim_anonymous_is_refused(api):
    people = circle_with_people()
    help_request = make_request(people)
    assert _claim(api, help_request, dish="Soup").status_code in (401, 403)
    assert _rows() == (0, 0)


# --- allergens -------------------------------------------------------------------------------------


def test_claim_refuses_a_dish_declaring_a_household_allergen(login):
    people = circle_with_people(allergies=["milk", "peanuts"])
    help_request = make_request(people)
    response = _claim(
        login(people.volunteer), help_request, dish="Satay noodles", contains_allergens=["peanuts", "soy"]
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "allergen"
    assert error["message"] == "This household is allergic to peanuts — please choose a dish without them."
    assert error["allergens"] == ["peanuts"]
    assert _rows() == (0, 0)
    help_request.shift.refresh_from_db()
    assert help_request.shift.filled == 0


def test_claim_refusal_names_every_declared_household_allergen(login):
    people = circle_with_people(allergies=["milk", "peanuts"])
    help_request = make_request(people)
    response = _claim(
        login(people.volunteer), help_request, dish="Cake", contains_allergens=["peanuts", "milk"]
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "This household is allergic to milk and peanuts — please choose a dish without them."
    )


def test_claim_warns_when_dish_name_sounds_like_an_allergen(login):
    people = circle_with_people(allergies=["peanuts"])
    help_request = make_request(people)
    response = _claim(login(people.volunteer), help_request, dish="Peanut noodles")
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        '"Peanut noodles" sounds like it may contain peanuts, and this household is allergic to peanuts. '
        "Please check the recipe, or choose another dish."
    ]
    assert response.json()["signup"]["status"] == "confirmed"


def test_claim_warns_on_spanish_dish_names(login):
    people = circle_with_people(allergies=["milk"])
    help_request = make_request(people)
    response = _claim(login(people.volunteer), help_request, dish="Tarta de Queso")
    assert response.status_code == 201
    assert len(response.json()["warnings"]) == 1
    assert "milk" in response.json()["warnings"][0]


def test_claim_without_allergen_words_has_no_warning(login):
    people = circle_with_people(allergies=["peanuts", "milk"])
    help_request = make_request(people)
    response = _claim(
        login(people.volunteer), help_request, dish="Chicken and rice", contains_allergens=["soy"]
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == []


# --- childcare trust gate --------------------------------------------------------------------------


def _childcare(people):
    return make_request(
        people, kind=HelpRequest.Kind.CHILDCARE, details={"children": ["Mia"]}, title="Nap time"
    )


def test_childcare_claim_refused_without_approval(login):
    people = circle_with_people()
    help_request = _childcare(people)
    response = _claim(login(people.volunteer), help_request)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == rules.CHILDCARE_REFUSAL
    assert _rows() == (0, 0)
    # The engine's own endpoint asks the same rule.
    direct = login(people.volunteer).post(f"/api/v1/shifts/{help_request.shift_id}/signups/", {})
    assert direct.status_code == 403
    assert Signup.objects.count() == 0


def test_childcare_claim_allowed_with_family_approval(login):
    people = circle_with_people()
    help_request = _childcare(people)
    ChildcareApproval.objects.create(
        circle=people.circle, person=people.volunteer, approved_by=people.coordinator
    )
    response = _claim(login(people.volunteer), help_request, notes="I have a car seat")
    assert response.status_code == 201, response.json()
    assert response.json()["signup"]["status"] == "confirmed"


def test_childcare_claim_allowed_with_required_qualification(login):
    people = circle_with_people()
    help_request = _childcare(people)
    checked = Qualification.objects.create(
        organisation=people.circle.organisation, code="background-checked", name="Background-checked"
    )
    help_request.shift.required_qualifications.add(checked)
    PersonQualification.objects.create(person=people.volunteer, qualification=checked)
    response = _claim(login(people.volunteer), help_request)
    assert response.status_code == 201, response.json()


def test_childcare_approval_in_another_circle_does_not_count(login):
    people = circle_with_people()
    other = circle_with_people()
    help_request = _childcare(people)
    ChildcareApproval.objects.create(circle=other.circle, person=people.volunteer)
    assert _claim(login(people.volunteer), help_request).status_code == 403


def test_childcare_gate_does_not_touch_meals(login):
    people = circle_with_people()
    assert _claim(login(people.volunteer), make_request(people), dish="Soup").status_code == 201


# --- paused and closed circles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (Circle.Status.PAUSED, "circle_paused", rules.PAUSED_REFUSAL),
        (Circle.Status.CLOSED, "circle_closed", rules.CLOSED_REFUSAL),
    ],
)
def test_claim_in_paused_or_closed_circle_is_refused(login, status, code, message):
    people = circle_with_people()
    help_request = make_request(people)
    Circle.objects.filter(pk=people.circle.pk).update(status=status)
    # The family's coordinators can still open it; the claim itself is refused.
    response = _claim(login(people.coordinator), help_request, dish="Soup")
    assert response.status_code == 409
    assert response.json()["error"] == {"code": code, "message": message, "fields": {}}
    assert _rows() == (0, 0)
    direct = login(people.coordinator).post(f"/api/v1/shifts/{help_request.shift_id}/signups/", {})
    assert direct.status_code == 403
    assert _rows() == (0, 0)


def test_paused_circle_claim_by_volunteer_is_refused_kindly(login):
    people = circle_with_people()
    help_request = make_request(people)
    Circle.objects.filter(pk=people.circle.pk).update(status=Circle.Status.PAUSED)
    response = _claim(login(people.volunteer), help_request, dish="Soup")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == rules.PAUSED_REFUSAL
    assert _rows() == (0, 0)
    # Strangers still learn nothing.
    assert _claim(login(people.stranger), help_request, dish="Soup").status_code == 404


def test_paused_circle_keeps_existing_commitments(login):
    people = circle_with_people(allergies=[])
    help_request = make_request(people)
    assert _claim(login(people.volunteer), help_request, dish="Lasagna").status_code == 201
    Circle.objects.filter(pk=people.circle.pk).update(status=Circle.Status.PAUSED)
    signup = Signup.objects.get()
    assert signup.status == "confirmed"
    commitments = login(people.volunteer).get("/api/v1/me/commitments/").json()
    assert [(c["id"], c["shift"]["id"], c["status"]) for c in commitments["results"]] == [
        (signup.pk, help_request.shift_id, "confirmed")
    ]
    # Their own dish stays on the list; another volunteer sees no future dishes while paused.
    mine = login(people.volunteer).get(f"/api/v1/circles/{people.circle.pk}/dishes/").json()
    assert [d["dish"] for d in mine["results"]] == ["Lasagna"]
    other = add_volunteer(people.circle, name="Carla Diaz")
    assert login(other).get(f"/api/v1/circles/{people.circle.pk}/dishes/").json()["count"] == 0
    assert login(people.coordinator).get(f"/api/v1/circles/{people.circle.pk}/dishes/").json()["count"] == 1


# --- what others are bringing --------------------------------------------------------------------


def test_dishes_list_shows_every_member_what_is_coming(login):
    people = circle_with_people(allergies=[])
    monday = make_request(people, starts_at=timezone.now() + timedelta(days=1), capacity=2)
    tuesday = make_request(people, starts_at=timezone.now() + timedelta(days=2))
    ben = add_volunteer(people.circle, name="Ben Jones")
    _claim(login(people.volunteer), monday, dish="Lasagna", contains_allergens=["milk", "wheat"])
    _claim(login(ben), monday, dish="Green salad")
    _claim(login(people.org_coordinator), tuesday, dish="Lasagna")
    cancelled_by = add_volunteer(people.circle, name="Dora Kim")
    # A dish whose sign-up was cancelled is not coming.
    third = make_request(people, starts_at=timezone.now() + timedelta(days=3))
    _claim(login(cancelled_by), third, dish="Lasagna")
    signup = Signup.objects.get(person=cancelled_by)
    login(cancelled_by).post(f"/api/v1/signups/{signup.pk}/cancel/", {})

    for person in (people.volunteer, ben, people.coordinator, people.org_coordinator):
        data = login(person).get(f"/api/v1/circles/{people.circle.pk}/dishes/").json()
        assert data["count"] == 3
        assert [(d["request"], d["dish"], d["volunteer"], d["kind"]) for d in data["results"]] == [
            (monday.pk, "Lasagna", "Ana", "meal"),
            (monday.pk, "Green salad", "Ben", "meal"),
            (tuesday.pk, "Lasagna", people.org_coordinator.name.split()[0], "meal"),
        ]
        first = data["results"][0]
        assert (
            first["date"]
            == monday.shift.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
            .date()
            .isoformat()
        )
        assert first["contains_allergens"] == ["milk", "wheat"]


@pytest.mark.parametrize("who", ["stranger", "org_volunteer"])
def test_dishes_list_hidden_from_strangers(login, who):
    people = circle_with_people(allergies=[])
    _claim(login(people.volunteer), make_request(people), dish="Lasagna")
    response = login(getattr(people, who)).get(f"/api/v1/circles/{people.circle.pk}/dishes/")
    assert response.status_code == 404
    assert "Lasagna" not in response.content.decode()


def test_dishes_list_anonymous_is_refused(api):
    people = circle_with_people()
    assert api.get(f"/api/v1/circles/{people.circle.pk}/dishes/").status_code in (401, 403)


@pytest.mark.parametrize("count", [1, 50])
def test_dishes_list_query_count_is_constant(login, django_assert_num_queries, count):
    people = circle_with_people(allergies=[])
    for index in range(count):
        help_request = make_request(people, starts_at=timezone.now() + timedelta(days=1, hours=index))
        signup = Signup.objects.create(shift=help_request.shift, person=people.volunteer)
        Contribution.objects.create(signup=signup, dish=f"Dish {index}")
    client = login(people.volunteer)
    # roster_role (2), circle (1), count (1), page (1)
    with django_assert_num_queries(5):
        response = client.get(f"/api/v1/circles/{people.circle.pk}/dishes/")
    assert response.json()["count"] == count


# --- received and thanks ---------------------------------------------------------------------------


def test_received_marked_by_the_family_once(login):
    people = circle_with_people()
    help_request = make_request(people)
    assert login(people.volunteer).post(f"/api/v1/requests/{help_request.pk}/received/").status_code == 403
    first = login(people.coordinator).post(f"/api/v1/requests/{help_request.pk}/received/")
    assert first.status_code == 200
    received_at = first.json()["received_at"]
    assert received_at is not None
    again = login(people.coordinator).post(f"/api/v1/requests/{help_request.pk}/received/")
    assert again.json()["received_at"] == received_at
    assert login(people.stranger).post(f"/api/v1/requests/{help_request.pk}/received/").status_code == 404


def test_thanks_recorded_and_volunteer_told_once(login, monkeypatch):
    people = circle_with_people()
    help_request = make_request(people)
    _claim(login(people.volunteer), help_request, dish="Soup")
    signup = Signup.objects.get()
    told = []
    monkeypatch.setattr(
        "practical.notify.volunteer_thanked",
        lambda **kwargs: told.append((kwargs["signup"].pk, kwargs["message"])),
    )

    assert (
        login(people.volunteer).post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": "me"}).status_code
        == 403
    )
    assert (
        login(people.stranger).post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": "x"}).status_code
        == 404
    )

    response = login(people.coordinator).post(
        f"/api/v1/signups/{signup.pk}/thanks/", {"message": "The soup was perfect"}
    )
    assert response.status_code == 201, response.json()
    assert response.json()["thanks"]["message"] == "The soup was perfect"
    login(people.coordinator).post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": "Really perfect"})
    assert told == [(signup.pk, "The soup was perfect")]

    detail = login(people.coordinator).get(f"/api/v1/requests/{help_request.pk}/").json()
    assert detail["signups"][0]["thanked"] is True
    # The note does not leak into the kind's details.
    assert "_thanks" not in detail["details"]
    help_request.refresh_from_db()
    assert help_request.details["_thanks"][str(signup.pk)]["message"] == "Really perfect"


def test_thanks_needs_a_message(login):
    people = circle_with_people()
    help_request = make_request(people)
    _claim(login(people.volunteer), help_request, dish="Soup")
    signup = Signup.objects.get()
    response = login(people.coordinator).post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": ""})
    assert response.status_code == 400
    assert "message" in response.json()["error"]["fields"]


def test_claim_warns_on_the_households_other_allergies(login):
    people = circle_with_people(allergies=[], allergies_other="Strawberries (severe), kiwi")
    help_request = make_request(people)
    response = _claim(login(people.volunteer), help_request, dish="Strawberry tart")
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        '"Strawberry tart" may contain something this household avoids ("Strawberries (severe), kiwi"). '
        "Please check the recipe, or choose another dish."
    ]
    plain = _claim(login(add_volunteer(people.circle)), make_request(people), dish="Severe chili")
    assert plain.json()["warnings"] == []


def test_open_filter_keeps_a_flexible_window_open_until_it_ends(login):
    people = circle_with_people()
    started = make_request(people, kind=HelpRequest.Kind.OTHER, details={"description": "Any time today"})
    started.shift.starts_at = timezone.now() - timedelta(hours=2)
    started.shift.ends_at = timezone.now() + timedelta(hours=6)
    started.shift.is_flexible = True
    started.shift.save()
    timed = make_request(people, kind=HelpRequest.Kind.OTHER, details={"description": "At noon"})
    timed.shift.starts_at = timezone.now() - timedelta(hours=1)
    timed.shift.ends_at = timezone.now() + timedelta(hours=1)
    timed.shift.save()
    response = login(people.volunteer).get(f"/api/v1/circles/{people.circle.pk}/requests/", {"open": "true"})
    assert [r["id"] for r in response.json()["results"]] == [started.pk]
    assert _claim(login(people.volunteer), started).status_code == 201


def test_request_detail_says_before_the_click_why_a_claim_would_be_refused(login):
    people = circle_with_people()
    help_request = _childcare(people)
    url = f"/api/v1/requests/{help_request.pk}/"
    assert login(people.volunteer).get(url).json()["claim_refusal"] == rules.CHILDCARE_REFUSAL
    ChildcareApproval.objects.create(circle=people.circle, person=people.volunteer)
    assert login(people.volunteer).get(url).json()["claim_refusal"] is None


def test_volunteer_reads_the_familys_thanks(login):
    people = circle_with_people()
    help_request = make_request(people)
    _claim(login(people.volunteer), help_request, dish="Soup")
    signup = Signup.objects.get()
    login(people.coordinator).post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": "Gracias, Ana!"})
    mine = login(people.volunteer).get(f"/api/v1/requests/{help_request.pk}/").json()["my_signup"]
    assert (mine["thanked"], mine["thanks_message"]) == (True, "Gracias, Ana!")


def test_claim_refuses_an_unknown_allergen_value(login):
    people = circle_with_people()
    help_request = make_request(people)
    response = _claim(login(people.volunteer), help_request, dish="Soup", contains_allergens=["nuts"])
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["contains_allergens.0"]
    assert _rows() == (0, 0)


def test_editing_details_keeps_the_familys_thanks(login):
    people = circle_with_people()
    help_request = make_request(people)
    _claim(login(people.volunteer), help_request, dish="Soup")
    signup = Signup.objects.get()
    login(people.coordinator).post(f"/api/v1/signups/{signup.pk}/thanks/", {"message": "Thank you!"})
    response = login(people.coordinator).patch(
        f"/api/v1/requests/{help_request.pk}/", {"details": {"servings": 2}}
    )
    assert response.status_code == 200
    assert response.json()["details"] == {"servings": 2, "containers_to_return": False}
    assert response.json()["signups"][0]["thanks_message"] == "Thank you!"
