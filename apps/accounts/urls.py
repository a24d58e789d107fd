from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import sso, views

app_name = "accounts"
urlpatterns = [
    path("account/", views.account, name="account"),
    path("w/<slug:workspace_slug>/invitations/", views.invite, name="invite"),
    path("w/<slug:workspace_slug>/invitations/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    # Single sign-on: the provider sends the browser back to the callback (apps/accounts/sso.py).
    path("oidc/authenticate/", sso.StartView.as_view(), name="oidc-start"),
    path("oidc/callback/", sso.CallbackView.as_view(), name="oidc-callback"),
    path("w/<slug:workspace_slug>/groups/", views.group_roles, name="group-roles"),
    path(
        "w/<slug:workspace_slug>/groups/<int:pk>/remove/",
        views.remove_group_role,
        name="remove-group-role",
    ),
    path(
        "password/reset/",
        views.ResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
