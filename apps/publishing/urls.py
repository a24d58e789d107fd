from django.urls import path

from . import views

app_name = "publishing"
urlpatterns = [
    path("w/<slug:workspace_slug>/repository/", views.repository, name="repository"),
    path("w/<slug:workspace_slug>/repository/pull/", views.pull_now, name="pull"),
]
