"""Output shapes for calendar feed endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from rest_framework import serializers

from calendars.services import IssuedFeed


def feed_urls(secret: str) -> dict[str, str]:
    """The three ways to subscribe: the plain URL, webcal:// (Apple, Outlook) and Google's link."""
    url = f"{settings.SITE_URL}/calendars/{secret}.ics"
    webcal = "webcal://" + url.split("://", 1)[1]
    # The feed URL is a value inside Google's query string: unencoded, a "?", "&" or "#" in
    # SITE_URL would cut it short and Google would subscribe to some other address.
    google = "https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}, quote_via=quote)
    return {"url": url, "webcal": webcal, "google": google}


class FeedUrlsSerializer(serializers.Serializer):
    url = serializers.CharField()
    webcal = serializers.CharField()
    google = serializers.CharField()


class FeedSerializer(serializers.Serializer):
    """A feed's state. ``urls`` is only present right after issuing or rotating (null otherwise)."""

    scope = serializers.CharField()
    scope_id = serializers.IntegerField()
    has_feed = serializers.BooleanField()
    created_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    urls = FeedUrlsSerializer(allow_null=True)


def feed_out(*, issued: IssuedFeed, scope: str, scope_id: int) -> dict[str, Any]:
    token = issued.token
    data = {
        "scope": scope,
        "scope_id": scope_id,
        "has_feed": token is not None,
        "created_at": token.created_at if token else None,
        "last_used_at": token.last_used_at if token else None,
        "urls": feed_urls(issued.secret) if issued.secret else None,
    }
    return dict(FeedSerializer(data).data)
