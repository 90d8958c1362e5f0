from __future__ import annotations

from django.urls import URLPattern, path

from scheduling import views

_SIGNUP_ACTIONS = ["cancel", "decline-cancel", "accept-offer", "decline-offer", "swap", "complete", "no-show"]

# In order of traffic where it matters (Django tries each pattern in turn): my commitments and a
# roster's shifts are most of what the app and calendars ask for.
urlpatterns: list[URLPattern] = [
    path("me/commitments/", views.MyCommitmentsView.as_view(), name="my-commitments"),
    path("me/gaps/", views.MyGapsView.as_view(), name="my-gaps"),
    path("rosters/", views.RosterListView.as_view(), name="roster-list"),
    path("rosters/<int:roster_id>/", views.RosterDetailView.as_view(), name="roster-detail"),
    path("rosters/<int:roster_id>/shifts/", views.RosterShiftsView.as_view(), name="roster-shifts"),
    path("rosters/<int:roster_id>/swaps/", views.RosterSwapsView.as_view(), name="roster-swaps"),
    path("rosters/<int:roster_id>/series/", views.RosterSeriesView.as_view(), name="roster-series"),
    path(
        "rosters/<int:roster_id>/failed-notifications/",
        views.RosterFailedNotificationsView.as_view(),
        name="roster-failed-notifications",
    ),
    path("shifts/<int:shift_id>/", views.ShiftDetailView.as_view(), name="shift-detail"),
    path("shifts/<int:shift_id>/signups/", views.ShiftSignupsView.as_view(), name="shift-signups"),
    path("shifts/<int:shift_id>/assign/", views.ShiftAssignView.as_view(), name="shift-assign"),
    path("signups/<int:signup_id>/", views.SignupDetailView.as_view(), name="signup-detail"),
    *[
        path(
            f"signups/<int:signup_id>/{action}/",
            views.SignupActionView.as_view(signup_action=action),
            name=f"signup-{action}",
        )
        for action in _SIGNUP_ACTIONS
    ],
    path(
        "signups/<int:signup_id>/accept-swap/",
        views.SignupAcceptSwapView.as_view(),
        name="signup-accept-swap",
    ),
    path("swaps/<int:swap_id>/accept/", views.SwapAcceptView.as_view(), name="swap-accept"),
    path("swaps/<int:swap_id>/withdraw/", views.SwapWithdrawView.as_view(), name="swap-withdraw"),
]
