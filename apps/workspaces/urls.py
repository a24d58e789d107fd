from django.urls import path

from . import views

app_name = "workspaces"
urlpatterns = [
    path("workspaces/", views.workspaces, name="workspaces"),
    path("w/<slug:workspace_slug>/members/", views.members, name="members"),
    path("w/<slug:workspace_slug>/members/<int:pk>/role/", views.change_role, name="change-role"),
    path("w/<slug:workspace_slug>/members/<int:pk>/remove/", views.remove, name="remove"),
    path("w/<slug:workspace_slug>/audit/", views.audit, name="audit"),
    path("w/<slug:workspace_slug>/settings/", views.workspace_settings, name="settings"),
]
