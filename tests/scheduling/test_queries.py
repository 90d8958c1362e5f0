"""List endpoints cost the same number of queries for 1 item as for 50 (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduling.models import Roster, Signup
from scheduling.services import signup_claim
from tests.factories import RosterFactory, RosterMembershipFactory, ShiftFactory
from tests.scheduling.factories import PersonQualificationFactory, QualificationFactory

pytestmark = pytest.mark.django_db


def make_shifts(roster, n: int):
    qualification = QualificationFactory()
    shifts = []
    for i in range(n):
        shift = ShiftFactory(
            roster=roster, capacity=3, starts_at=ShiftFactory.starts_at.function() + timedelta(hours=3 * i)
        )
        shift.required_qualifications.add(qualification)
        shifts.append(shift)
    return shifts


@pytest.mark.parametrize("n", [1, 50])
def test_queries_shifts_list_constant(login, coordinator, roster, n, django_assert_num_queries):
    make_shifts(roster, n)
    client = login(coordinator)

    # roster with the role (memberships are subqueries), page (my sign-up a subquery; no count:
    # the page is not full), required qualifications
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/rosters/{roster.pk}/shifts/")
    assert response.json()["count"] == n
    with django_assert_num_queries(3):  # the person's own sign-ups are a subquery, not a query
        response = client.get(f"/api/v1/rosters/{roster.pk}/shifts/", {"open": "true"})
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [1, 50])
def test_queries_shifts_list_constant_for_a_volunteer(login, volunteer, roster, n, django_assert_num_queries):
    shifts = make_shifts(roster, n)
    PersonQualificationFactory(person=volunteer, qualification=shifts[0].required_qualifications.get())
    for index, shift in enumerate(shifts):
        if index % 2:
            signup_claim(shift=shift, person=volunteer, confirm_overlap=True)
    client = login(volunteer)

    # roster with the role, page (my sign-up a subquery), required qualifications
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/rosters/{roster.pk}/shifts/")
    assert len(response.json()["results"]) == n
    assert sum(1 for s in response.json()["results"] if s["my_signup"]) == n // 2
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/rosters/{roster.pk}/shifts/", {"open": "true"})
    assert response.json()["count"] == n - n // 2


@pytest.mark.parametrize("n", [1, 50])
def test_queries_signups_list_constant(
    login, coordinator, volunteer_on, roster, n, django_assert_num_queries
):
    shift = ShiftFactory(roster=roster, capacity=50)
    for _ in range(n):
        signup_claim(shift=shift, person=volunteer_on())
    client = login(coordinator)
    member = Signup.objects.first().person

    # shift+roster with the role (kept for the view's choice of fields and the selector), page
    # (open swap offer a subquery)
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/shifts/{shift.pk}/signups/")
    assert response.json()["count"] == n
    with django_assert_num_queries(2):
        response = login(member).get(f"/api/v1/shifts/{shift.pk}/signups/")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [1, 50])
def test_queries_my_commitments_constant(login, volunteer_on, n, django_assert_num_queries):
    person = volunteer_on()
    for i in range(n):
        roster = RosterFactory(kind=Roster.Kind.CIRCLE if i % 2 else Roster.Kind.DUTY)
        RosterMembershipFactory(roster=roster, person=person)
        shift = ShiftFactory(
            roster=roster, starts_at=ShiftFactory.starts_at.function() + timedelta(hours=3 * i)
        )
        signup_claim(shift=shift, person=person)
    client = login(person)

    with django_assert_num_queries(1):  # page (shift and roster joined, open swap offer a subquery)
        response = client.get("/api/v1/me/commitments/")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [1, 50])
def test_queries_rosters_list_constant(login, volunteer_on, n, django_assert_num_queries):
    person = volunteer_on()
    for _ in range(n - 1):
        RosterMembershipFactory(roster=RosterFactory(), person=person)

    with django_assert_num_queries(1):  # page (no count: it is not full)
        response = login(person).get("/api/v1/rosters/")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [1, 50])
def test_queries_swap_board_constant(login, volunteer_on, roster, n, django_assert_num_queries):
    from scheduling.services import swap_offer

    shift = ShiftFactory(roster=roster, capacity=50)
    for _ in range(n):
        person = volunteer_on()
        swap_offer(signup=signup_claim(shift=shift, person=person).signup, actor=person)
    client = login(volunteer_on())

    with django_assert_num_queries(2):  # roster with the role, page (shift, roster, person joined)
        response = client.get(f"/api/v1/rosters/{roster.pk}/swaps/")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [1, 50])
def test_queries_my_gaps_constant(login, n, django_assert_num_queries):
    from accounts.models import Role
    from tests.factories import CircleFactory, OrganisationFactory, OrganisationMembershipFactory

    organisation = OrganisationFactory()
    coordinator = OrganisationMembershipFactory(organisation=organisation, role=Role.COORDINATOR).person
    for i in range(n):
        roster = (
            CircleFactory(organisation=organisation, roster__organisation=organisation).roster
            if i % 2 == 0
            else RosterFactory(organisation=organisation)
        )
        ShiftFactory(roster=roster, starts_at=ShiftFactory.starts_at.function() + timedelta(hours=i))
    client = login(coordinator)

    # count, page (roster joined, coordinated rosters a subquery), the circles behind circle rosters
    with django_assert_num_queries(3):
        response = client.get("/api/v1/me/gaps/")
    assert response.json()["count"] == n


def _main_table(sql: str) -> str:
    # The table of the outermost FROM (subqueries in the select list have their own).
    depth = 0
    for i, char in enumerate(sql):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and sql.startswith(" FROM ", i):
            return sql[i + 6 :].split(" ", 1)[0].strip('"')
    return ""


def test_queries_claim_reads_role_and_duplicate_with_the_shift(login, volunteer, roster):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shift = ShiftFactory(roster=roster, capacity=3)

    with CaptureQueriesContext(connection) as queries:
        response = login(volunteer).post(f"/api/v1/shifts/{shift.pk}/signups/", {}, format="json")

    assert response.status_code == 201
    statements = [q["sql"] for q in queries.captured_queries]
    update = next(i for i, sql in enumerate(statements) if sql.startswith("UPDATE"))
    # The shift, with the role, the duplicate check and "requires qualifications?" as subqueries;
    # then the overlap check. Registered rules of other apps may add reads of their own tables.
    ours = [
        table
        for table in map(_main_table, statements[:update])
        if table.startswith(("scheduling_", "accounts_"))
    ]
    assert ours == ["scheduling_shift", "scheduling_signup"]
    # The UPDATE hands ``filled`` back: the shift is not read again for it.
    refresh = 'SELECT "scheduling_shift"."id", "scheduling_shift"."filled" FROM'
    assert [sql for sql in statements[update:] if sql.startswith(refresh)] == []
    shift.refresh_from_db()
    assert shift.filled == 1


def test_roster_lookup_answers_404_for_an_id_out_of_range(login, volunteer):
    response = login(volunteer).get(f"/api/v1/rosters/{2**63}/shifts/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_queries_a_won_claim_reads_each_persons_preferences_once_and_writes_rows_in_one_insert(
    login, volunteer_on, roster, coordinator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shift = ShiftFactory(roster=roster, capacity=3)
    volunteer = volunteer_on()

    with CaptureQueriesContext(connection) as queries:
        response = login(volunteer).post(f"/api/v1/shifts/{shift.pk}/signups/", {}, format="json")

    assert response.status_code == 201
    tables = [_main_table(q["sql"]) for q in queries.captured_queries]
    # The volunteer and the coordinator: their preferences are read once each for the whole
    # confirmation (the e-mail, the inbox, the calendar file's alarms and both reminders).
    assert tables.count("notifications_notificationpreference") == 2
    inserts = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "notifications_')
    ]
    # One INSERT per notification_create: the confirmation to each (e-mail + inbox), two reminders.
    assert len(inserts) == 4
    from notifications.models import Notification

    assert Notification.objects.count() == 8  # two channels each
