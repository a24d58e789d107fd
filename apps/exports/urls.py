from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("w/<slug:slug>/<int:number>.md", views.decision_markdown, name="markdown"),
    path("w/<slug:slug>/<int:number>.pdf", views.decision_pdf, name="pdf"),
]
