from django.urls import path

from practical.help import views

urlpatterns = [
    path("circles/<int:circle_id>/requests/", views.CircleRequestsView.as_view(), name="circle-requests"),
    path(
        "circles/<int:circle_id>/requests/series/",
        views.CircleRequestSeriesView.as_view(),
        name="circle-request-series",
    ),
    path("circles/<int:circle_id>/dishes/", views.CircleDishesView.as_view(), name="circle-dishes"),
    path("requests/<int:request_id>/", views.HelpRequestDetailView.as_view(), name="help-request"),
    path("requests/<int:request_id>/claim/", views.HelpRequestClaimView.as_view(), name="help-request-claim"),
    path(
        "requests/<int:request_id>/received/",
        views.HelpRequestReceivedView.as_view(),
        name="help-request-received",
    ),
    path("signups/<int:signup_id>/thanks/", views.SignupThanksView.as_view(), name="signup-thanks"),
]
