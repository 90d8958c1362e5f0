from __future__ import annotations

from django.urls import path

from calendars import views

urlpatterns = [
    path("me/feeds/", views.PersonFeedView.as_view(), name="feed-person"),
    path("me/feeds/rotate/", views.PersonFeedRotateView.as_view(), name="feed-person-rotate"),
    path("me/feeds/revoke/", views.PersonFeedRevokeView.as_view(), name="feed-person-revoke"),
    path("circles/<int:circle_id>/feed/", views.CircleFeedView.as_view(), name="feed-circle"),
    path(
        "circles/<int:circle_id>/feed/rotate/",
        views.CircleFeedRotateView.as_view(),
        name="feed-circle-rotate",
    ),
    path(
        "circles/<int:circle_id>/feed/revoke/",
        views.CircleFeedRevokeView.as_view(),
        name="feed-circle-revoke",
    ),
    path("rosters/<int:roster_id>/feed/", views.RosterFeedView.as_view(), name="feed-roster"),
    path(
        "rosters/<int:roster_id>/feed/rotate/",
        views.RosterFeedRotateView.as_view(),
        name="feed-roster-rotate",
    ),
    path(
        "rosters/<int:roster_id>/feed/revoke/",
        views.RosterFeedRevokeView.as_view(),
        name="feed-roster-revoke",
    ),
    path("signups/<int:signup_id>/ics/", views.SignupIcsView.as_view(), name="signup-ics"),
]
