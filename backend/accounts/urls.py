from django.urls import path

from accounts.views import auth, invitations, organisations

urlpatterns = [
    path("auth/csrf/", auth.CsrfView.as_view(), name="auth-csrf"),
    path("auth/signup/", auth.SignupView.as_view(), name="auth-signup"),
    path("auth/login/", auth.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", auth.LogoutView.as_view(), name="auth-logout"),
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/password-reset/", auth.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        auth.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("me/", auth.MeView.as_view(), name="me"),
    path("me/password/", auth.PasswordChangeView.as_view(), name="me-password"),
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisations"),
    path(
        "organisations/<int:organisation_id>/",
        organisations.OrganisationDetailView.as_view(),
        name="organisation",
    ),
    path(
        "organisations/<int:organisation_id>/members/",
        organisations.MemberListView.as_view(),
        name="organisation-members",
    ),
    path(
        "organisations/<int:organisation_id>/members/<int:person_id>/",
        organisations.MemberDetailView.as_view(),
        name="organisation-member",
    ),
    path("invitations/", invitations.InvitationListView.as_view(), name="invitations"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        invitations.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", invitations.InvitationPreviewView.as_view(), name="invitation-preview"),
    path(
        "invitations/<str:token>/accept/",
        invitations.InvitationAcceptView.as_view(),
        name="invitation-accept",
    ),
]
