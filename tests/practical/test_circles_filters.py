"""A circle's coordinator-only lists narrow by their filters; a bad value is a 400 naming it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from practical.models import ChildcareApproval
from tests.practical.help_factories import add_volunteer, circle_with_people

pytestmark = pytest.mark.django_db


def _approve(people, name: str, days_ago: int) -> ChildcareApproval:
    approval = ChildcareApproval.objects.create(
        circle=people.circle, person=add_volunteer(people.circle, name), approved_by=people.coordinator
    )
    # approved_at is auto_now_add: move it back the way time would have.
    ChildcareApproval.objects.filter(pk=approval.pk).update(
        approved_at=timezone.now() - timedelta(days=days_ago)
    )
    return approval


def test_childcare_approvals_filter_by_since_and_until(login):
    people = circle_with_people()
    _approve(people, "Ana Old", days_ago=30)
    _approve(people, "Ben Recent", days_ago=2)
    client = login(people.coordinator)
    url = f"/api/v1/circles/{people.circle.pk}/childcare-approvals/"
    week_ago = (timezone.now() - timedelta(days=7)).isoformat()

    def names(**params: str) -> list[str]:
        response = client.get(url, params)
        assert response.status_code == 200, response.json()
        return [row["name"] for row in response.json()["results"]]

    assert names() == ["Ana Old", "Ben Recent"]
    assert names(since=week_ago) == ["Ben Recent"]
    assert names(until=week_ago) == ["Ana Old"]


def test_childcare_approvals_refuse_a_bad_time_naming_it(login):
    people = circle_with_people()

    response = login(people.coordinator).get(
        f"/api/v1/circles/{people.circle.pk}/childcare-approvals/", {"since": "last week"}
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["since"]


def test_circle_list_filters_are_documented_in_the_schema():
    schema = SchemaGenerator(urlconf="practical.urls").get_schema(request=None, public=True)

    def documented(path: str) -> set[str]:
        return {p["name"] for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}

    assert documented("/circles/{circle_id}/childcare-approvals/") == {"since", "until", "limit", "offset"}
    assert documented("/circles/{circle_id}/audit/") == {"action", "since", "until", "limit", "offset"}
