from django.urls import path

from . import views

app_name = "decisions"
urlpatterns = [
    path("", views.log, name="log"),
    path("w/<slug:workspace_slug>/<int:number>/", views.detail, name="detail"),
]
