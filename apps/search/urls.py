from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("timeline/", views.timeline, name="timeline"),
    path("w/<slug:workspace_slug>/graph/", views.graph, name="graph"),
]
