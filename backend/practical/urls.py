from django.urls import include, path

from practical import views

urlpatterns = [
    path("circles/", views.CircleListView.as_view(), name="circles"),
    path("circles/<int:circle_id>/", views.CircleDetailView.as_view(), name="circle"),
    path("circles/<int:circle_id>/pause/", views.CirclePauseView.as_view(), name="circle-pause"),
    path("circles/<int:circle_id>/resume/", views.CircleResumeView.as_view(), name="circle-resume"),
    path("circles/<int:circle_id>/close/", views.CircleCloseView.as_view(), name="circle-close"),
    path("circles/<int:circle_id>/members/", views.CircleMembersView.as_view(), name="circle-members"),
    path(
        "circles/<int:circle_id>/members/<int:person_id>/",
        views.CircleMemberView.as_view(),
        name="circle-member",
    ),
    path(
        "circles/<int:circle_id>/childcare-approvals/",
        views.CircleChildcareApprovalsView.as_view(),
        name="circle-childcare-approvals",
    ),
    path(
        "circles/<int:circle_id>/childcare-approvals/<int:person_id>/",
        views.CircleChildcareApprovalView.as_view(),
        name="circle-childcare-approval",
    ),
    path(
        "circles/<int:circle_id>/address-reads/",
        views.CircleAddressReadsView.as_view(),
        name="circle-address-reads",
    ),
    path("circles/<int:circle_id>/audit/", views.CircleAuditView.as_view(), name="circle-audit"),
    path("circles/<int:circle_id>/export/", views.CircleExportView.as_view(), name="circle-export"),
    path("", include("practical.help.urls")),
]
