from django.urls import path

from . import views

app_name = "upkeep"
urlpatterns = [
    path("due/", views.mine, name="mine"),
    path("w/<slug:workspace_slug>/health/", views.health, name="health"),
    path("w/<slug:workspace_slug>/health/period/", views.period, name="period"),
    path(
        "w/<slug:workspace_slug>/<int:number>/still-valid/", views.still_valid, name="still-valid"
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/confirmation/",
        views.checklist,
        name="checklist",
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/confirmation/add/",
        views.add_item,
        name="add-item",
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/confirmation/<int:pk>/",
        views.save_item,
        name="save-item",
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/confirmation/<int:pk>/remove/",
        views.remove_item,
        name="remove-item",
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/confirmation/<int:pk>/state/",
        views.set_state,
        name="set-state",
    ),
]
