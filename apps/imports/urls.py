from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("w/<slug:workspace_slug>/import/", views.upload, name="upload"),
    path("w/<slug:workspace_slug>/import/<int:pk>/", views.preview, name="preview"),
    path("w/<slug:workspace_slug>/import/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("w/<slug:workspace_slug>/import/<int:pk>/discard/", views.discard, name="discard"),
]
