from django.urls import path

from . import views

app_name = "versions"
urlpatterns = [
    path("w/<slug:workspace_slug>/<int:number>/versions/", views.version_list, name="list"),
    path("w/<slug:workspace_slug>/<int:number>/versions/diff/", views.diff, name="diff"),
    path(
        "w/<slug:workspace_slug>/<int:number>/versions/<int:version>/", views.detail, name="detail"
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/versions/<int:version>.md",
        views.markdown,
        name="markdown",
    ),
    path("w/<slug:workspace_slug>/<int:number>/versions/<int:version>.pdf", views.pdf, name="pdf"),
]
