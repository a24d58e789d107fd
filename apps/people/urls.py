from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .forms import ResetForm

app_name = "people"
urlpatterns = [
    path("workspaces/", views.workspaces, name="workspaces"),
    path("w/<slug:slug>/members/", views.members, name="members"),
    path("w/<slug:slug>/members/<int:pk>/role/", views.change_role, name="change-role"),
    path("w/<slug:slug>/members/<int:pk>/remove/", views.remove, name="remove"),
    path("w/<slug:slug>/audit/", views.audit, name="audit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.read_all, name="read-all"),
    path("notifications/<int:pk>/open/", views.open_notification, name="open"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=ResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            success_url=reverse_lazy("people:password_reset_done"),
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
            success_url=reverse_lazy("people:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
