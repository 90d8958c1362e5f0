from __future__ import annotations

from django.urls import re_path

from calendars import views

# token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]; anything else is not a token.
urlpatterns = [
    re_path(r"^(?P<token>[A-Za-z0-9_-]{16,128})\.ics$", views.feed, name="calendar-feed"),
]
