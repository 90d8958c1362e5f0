from __future__ import annotations

from django.urls import URLPattern, path

from rosters import views

urlpatterns: list[URLPattern] = [
    path("rosters/<int:roster_id>/templates/", views.TemplateListView.as_view(), name="roster-templates"),
    path(
        "rosters/<int:roster_id>/templates/<int:template_id>/",
        views.TemplateDetailView.as_view(),
        name="roster-template-detail",
    ),
    path("rosters/<int:roster_id>/generate/", views.GenerateView.as_view(), name="roster-generate"),
    path("rosters/<int:roster_id>/coverage/", views.CoverageView.as_view(), name="roster-coverage"),
    path("rosters/<int:roster_id>/autofill/", views.AutofillView.as_view(), name="roster-autofill"),
    path("autofill/<int:proposal_id>/", views.ProposalView.as_view(), name="autofill-detail"),
    path(
        "autofill/<int:proposal_id>/assignments/<int:assignment_id>/",
        views.AssignmentDropView.as_view(),
        name="autofill-assignment",
    ),
    path("autofill/<int:proposal_id>/accept/", views.AcceptView.as_view(), name="autofill-accept"),
    path("qualifications/", views.QualificationListView.as_view(), name="qualification-list"),
    path(
        "qualifications/<int:qualification_id>/grants/",
        views.GrantListView.as_view(),
        name="qualification-grants",
    ),
    path(
        "qualifications/<int:qualification_id>/grants/<int:grant_id>/",
        views.GrantDetailView.as_view(),
        name="qualification-grant-detail",
    ),
    path("me/availability/", views.MyAvailabilityView.as_view(), name="my-availability"),
    path("me/availability/exceptions/", views.MyExceptionsView.as_view(), name="my-availability-exceptions"),
    path(
        "me/availability/exceptions/<int:exception_id>/",
        views.MyExceptionDetailView.as_view(),
        name="my-availability-exception",
    ),
    path("me/limits/", views.MyLimitsView.as_view(), name="my-limits"),
]
