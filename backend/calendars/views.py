"""Calendar endpoints: feed URLs in the API, the feeds themselves, single-event downloads."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Person
from calendars.models import FeedToken
from calendars.ratelimit import feed_rate_limited
from calendars.selectors import (
    feed_fingerprint,
    feed_render,
    feed_subject,
    feed_token_by_secret,
    signup_for_download,
)
from calendars.serializers import FeedSerializer, feed_out
from calendars.services import (
    feed_get_or_issue,
    feed_mark_used,
    feed_note_etag,
    feed_record_address_reads,
    feed_revoke,
    feed_rotate,
    signup_ics,
)
from practical.models import Circle
from scheduling.models import Roster
from scheduling.selectors import roster_role

CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
# Private: the feed is one person's; 5 minutes keeps a burst of refreshes off the database.
CACHE_CONTROL = "private, max-age=300"

# --- The feeds (no session: the token in the URL is the credential) ---------------------------


def _not_found() -> HttpResponse:
    # No detail: whether a token ever existed, or was rotated, is nobody's business.
    return HttpResponse(status=404, content_type="text/plain; charset=utf-8")


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponseBase:
    """A calendar feed. 304 when the client's copy is current, computed without rendering."""
    wait = feed_rate_limited(token)
    if wait is not None:
        limited = HttpResponse(status=429, content_type="text/plain; charset=utf-8")
        limited["Retry-After"] = str(wait)
        return limited
    feed_token = feed_token_by_secret(token=token)
    if feed_token is None:
        return _not_found()
    subject = feed_subject(token=feed_token)
    if subject is None:
        return _not_found()
    now = timezone.now()
    feed_mark_used(token=feed_token, now=now)
    fingerprint = feed_fingerprint(token=feed_token, now=now)
    # Last-Modified is when this ETag was first served: the rows' own timestamps do not move on
    # every change (see calendars.fingerprint), the ETag does.
    last_modified = int(feed_note_etag(token=feed_token, etag=fingerprint.etag, now=now).timestamp())
    response: HttpResponseBase | None = get_conditional_response(
        request, etag=fingerprint.etag, last_modified=last_modified
    )
    if response is None:
        rendered = feed_render(token=feed_token, subject=subject, now=now)
        feed_record_address_reads(
            person=feed_token.owner, circles=rendered.addresses_shown, via="calendar:feed"
        )
        response = HttpResponse(rendered.body, content_type=CALENDAR_CONTENT_TYPE)
    response["ETag"] = fingerprint.etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = CACHE_CONTROL
    return response


# --- Feed URLs in the API -----------------------------------------------------------------------


def _feed_action(request: Request, *, scope: str, scope_id: int, action: str) -> Response:
    person: Person = request.user  # type: ignore[assignment]
    if action == "rotate":
        issued = feed_rotate(owner=person, scope=scope, scope_id=scope_id)
        return Response(
            feed_out(issued=issued, scope=scope, scope_id=scope_id), status=status.HTTP_201_CREATED
        )
    if action == "revoke":
        feed_revoke(owner=person, scope=scope, scope_id=scope_id)
    issued = feed_get_or_issue(owner=person, scope=scope, scope_id=scope_id)
    return Response(feed_out(issued=issued, scope=scope, scope_id=scope_id))


def _coordinated(roster: Roster | None, person: Person) -> int:
    """The roster's id if the person coordinates it; 404 if they have no role, 403 if volunteer."""
    role = roster_role(roster=roster, person=person) if roster is not None else None
    if roster is None or role is None:
        raise Http404
    if role != "coordinator":
        raise PermissionDenied("Only the coordinators can subscribe to this calendar.")
    return roster.pk


def _circle_scope(request: Request, circle_id: int) -> int:
    circle = Circle.objects.select_related("roster").filter(pk=circle_id).first()
    _coordinated(circle.roster if circle else None, request.user)  # type: ignore[arg-type]
    return circle_id


def _roster_scope(request: Request, roster_id: int) -> int:
    return _coordinated(Roster.objects.filter(pk=roster_id).first(), request.user)  # type: ignore[arg-type]


def _me(request: Request) -> int:
    return int(request.user.pk or 0)


_PERSON = FeedToken.Scope.PERSON
_CIRCLE = FeedToken.Scope.CIRCLE
_ROSTER = FeedToken.Scope.ROSTER


class PersonFeedView(APIView):
    """My personal feed. Issued on the first call; the URL is shown only then (and on rotate)."""

    @extend_schema(responses=FeedSerializer)
    def get(self, request: Request) -> Response:
        return _feed_action(request, scope=_PERSON, scope_id=_me(request), action="get")


class PersonFeedRotateView(APIView):
    @extend_schema(request=None, responses={201: FeedSerializer})
    def post(self, request: Request) -> Response:
        return _feed_action(request, scope=_PERSON, scope_id=_me(request), action="rotate")


class PersonFeedRevokeView(APIView):
    @extend_schema(request=None, responses=FeedSerializer)
    def post(self, request: Request) -> Response:
        return _feed_action(request, scope=_PERSON, scope_id=_me(request), action="revoke")


class CircleFeedView(APIView):
    """The circle's feed, for its coordinators (the family)."""

    @extend_schema(responses=FeedSerializer)
    def get(self, request: Request, circle_id: int) -> Response:
        return _feed_action(request, scope=_CIRCLE, scope_id=_circle_scope(request, circle_id), action="get")


class CircleFeedRotateView(APIView):
    @extend_schema(request=None, responses={201: FeedSerializer})
    def post(self, request: Request, circle_id: int) -> Response:
        return _feed_action(
            request, scope=_CIRCLE, scope_id=_circle_scope(request, circle_id), action="rotate"
        )


class CircleFeedRevokeView(APIView):
    @extend_schema(request=None, responses=FeedSerializer)
    def post(self, request: Request, circle_id: int) -> Response:
        return _feed_action(
            request, scope=_CIRCLE, scope_id=_circle_scope(request, circle_id), action="revoke"
        )


class RosterFeedView(APIView):
    """The roster's feed, for its coordinators."""

    @extend_schema(responses=FeedSerializer)
    def get(self, request: Request, roster_id: int) -> Response:
        return _feed_action(request, scope=_ROSTER, scope_id=_roster_scope(request, roster_id), action="get")


class RosterFeedRotateView(APIView):
    @extend_schema(request=None, responses={201: FeedSerializer})
    def post(self, request: Request, roster_id: int) -> Response:
        return _feed_action(
            request, scope=_ROSTER, scope_id=_roster_scope(request, roster_id), action="rotate"
        )


class RosterFeedRevokeView(APIView):
    @extend_schema(request=None, responses=FeedSerializer)
    def post(self, request: Request, roster_id: int) -> Response:
        return _feed_action(
            request, scope=_ROSTER, scope_id=_roster_scope(request, roster_id), action="revoke"
        )


class SignupIcsView(APIView):
    """One commitment as an .ics file, for its holder and the roster's coordinators."""

    @extend_schema(responses={(200, "text/calendar"): OpenApiResponse(description="An iCalendar file")})
    def get(self, request: Request, signup_id: int) -> HttpResponse:
        person: Person = request.user  # type: ignore[assignment]
        signup = signup_for_download(signup_id=signup_id, person=person)
        if signup is None:
            raise Http404
        response = HttpResponse(signup_ics(signup=signup, person=person), content_type=CALENDAR_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="village-commitment-{signup.pk}.ics"'
        response["Cache-Control"] = "private, no-cache"
        return response
