from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("w/<slug:workspace_slug>/<int:number>.md", views.decision_markdown, name="markdown"),
    path("w/<slug:workspace_slug>/<int:number>.pdf", views.decision_pdf, name="pdf"),
    path("w/<slug:workspace_slug>/exports/", views.exports_page, name="page"),
    path("w/<slug:workspace_slug>/exports/start/", views.start_export, name="start"),
    path("w/<slug:workspace_slug>/exports/<int:pk>/", views.job_page, name="job"),
    path("w/<slug:workspace_slug>/exports/<int:pk>/download/", views.job_download, name="download"),
]
