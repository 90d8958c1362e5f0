from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from village.api import error_body
from village.broker import broker_status


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status, for load balancers and `make run`'s start-up check."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:  # any failure means "not healthy", whatever the driver raised
        database = f"error: {exc.__class__.__name__}"
    broker = broker_status()
    healthy = database == "ok" and broker == "ok"
    return JsonResponse({"database": database, "broker": broker}, status=200 if healthy else 503)


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "We couldn't find that."), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        error_body("server_error", "Something went wrong on our side. Please try again."),
        status=500,
    )
