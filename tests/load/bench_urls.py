"""The real app's URLs plus /bare/... views for the HTTP benchmark (tests/load/bench_http.py).

Each bare view replays, through ``connection.cursor()``, the exact statements the real endpoint
ran when the benchmark recorded it (``VILLAGE_BENCH_PLAN``, a pickle the benchmark writes), with
the caller's own values (person, token, shift, "now") put back in. What is left out is what the
ratio measures: DRF, serializers, permissions, the service layer, the ORM building the queries.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from datetime import datetime
from functools import cache
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt


@cache
def _plan() -> dict[str, Any]:
    with open(os.environ["VILLAGE_BENCH_PLAN"], "rb") as f:
        plan: dict[str, Any] = pickle.load(f)  # noqa: S301  # written by this benchmark run
    return plan


def _bind(
    params: list[tuple[str, Any]], values: dict[str, Any], now: datetime, results: list[list[Any]]
) -> list[Any] | None:
    """The parameters for this caller; None when a prefetch has no ids (Django skips it too)."""
    bound: list[Any] = []
    for kind, value in params:
        if kind == "var":
            bound.append(values[value])
        elif kind == "now":
            bound.append(now + value)
        elif kind == "col":
            statement, column = value
            ids = [row[column] for row in results[statement]]
            if not ids:
                return None
            bound.append(ids)
        else:
            bound.append(value)
    return bound


def _replay_each(
    statements: list[tuple[str, list[tuple[str, Any]]]], values: dict[str, Any]
) -> list[list[Any]]:
    """Run the recorded statements with this caller's values; each statement's rows."""
    now = timezone.now()
    results: list[list[Any]] = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            bound = _bind(params, values, now, results)
            if bound is None:
                results.append([])
                continue
            cursor.execute(sql, bound)
            results.append(cursor.fetchall() if cursor.description is not None else [])
    return results


def _replay(statements: list[tuple[str, list[tuple[str, Any]]]], values: dict[str, Any]) -> list[Any]:
    """Every result row of the recorded statements, in order."""
    return [row for rows in _replay_each(statements, values) for row in rows]


def _caller(request: HttpRequest) -> dict[str, Any] | None:
    key = request.headers.get("Authorization", "").removeprefix("Token ")
    found: dict[str, Any] | None = _plan()["users_by_key"].get(key)
    return found


def _json(rows: list[Any], status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps({"rows": rows}, default=str), status=status, content_type="application/json"
    )


def bare_open_shifts(request: HttpRequest, roster_id: int) -> HttpResponse:
    user = _caller(request)
    if user is None:
        return JsonResponse({"error": "unauthorised"}, status=401)
    return _json(_replay(_plan()["open_shifts"], user))


def bare_commitments(request: HttpRequest) -> HttpResponse:
    user = _caller(request)
    if user is None:
        return JsonResponse({"error": "unauthorised"}, status=401)
    return _json(_replay(_plan()["commitments"], user))


@csrf_exempt
def bare_claim(request: HttpRequest, shift_id: int) -> HttpResponse:
    """The same reads; a full shift answers from its row, as ours does. With room: the same
    checks, then the same conditional UPDATE, and the INSERT only when it won a place."""
    user = _caller(request)
    if user is None:
        return JsonResponse({"error": "unauthorised"}, status=401)
    json.loads(request.body or b"{}")
    plan = _plan()["claim"]
    values = {**user, "shift": shift_id}
    shift_rows = _replay_each(plan["read"], values)[-1]
    filled, capacity = plan["room"]
    if not shift_rows or shift_rows[0][filled] >= shift_rows[0][capacity]:
        return JsonResponse({"error": "full"}, status=409)
    _replay(plan["checks"], values)
    now = timezone.now()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            update_sql, update_params = plan["update"]
            cursor.execute(update_sql, _bind(update_params, values, now, []))
            if cursor.rowcount == 1:
                insert_sql, insert_params = plan["insert"]
                cursor.execute(insert_sql, _bind(insert_params, values, now, []))
                return _json(cursor.fetchall(), status=201)
    except IntegrityError:
        return JsonResponse({"error": "already_claimed"}, status=409)
    return JsonResponse({"error": "full"}, status=409)


def bare_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = _plan()["users_by_feed_hash"].get(hashlib.sha256(token.encode()).hexdigest())
    if user is None:
        return HttpResponse(status=404)
    if request.headers.get("If-None-Match"):
        rows = _replay(_plan()["feed_304"], user)
        hashlib.sha256(repr(rows).encode()).hexdigest()  # the real view hashes its aggregate too
        return HttpResponseNotModified()
    rows = _replay(_plan()["feed_200"], user)
    body = "\r\n".join(repr(row) for row in rows)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


urlpatterns = [
    path("bare/api/v1/rosters/<int:roster_id>/shifts/", bare_open_shifts),
    path("bare/api/v1/me/commitments/", bare_commitments),
    path("bare/api/v1/shifts/<int:shift_id>/signups/", bare_claim),
    path("bare/calendars/<str:token>.ics", bare_feed),
    path("", include("village.urls")),
]
handler404 = "village.views.not_found"
handler500 = "village.views.server_error"
