from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("", views.index, name="index"),
    path("openapi.json", views.openapi, name="openapi"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke, name="revoke-token"),
    path("decisions/", views.decisions, name="decisions"),
    path("workspaces/<slug:workspace_slug>/health/", views.health, name="health"),
    path("decisions/<slug:workspace_slug>/<int:number>/", views.decision, name="decision"),
    path("decisions/<slug:workspace_slug>/<int:number>/versions/", views.versions, name="versions"),
    path(
        "decisions/<slug:workspace_slug>/<int:number>/versions/<int:version>.md",
        views.version_markdown,
        name="version-markdown",
    ),
]
