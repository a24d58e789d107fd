from django.urls import path

from . import views

app_name = "authoring"
edit = "w/<slug:workspace_slug>/<int:number>/edit/"
urlpatterns = [
    path("new/", views.start, name="start"),
    path(edit, views.edit, name="edit"),
    path(edit + "part/<str:part>/", views.save_part, name="save_part"),
    path(edit + "cell/<int:option>/<int:scenario>/", views.save_cell, name="save_cell"),
    path(edit + "submit/", views.submit, name="submit"),
    path(edit + "<str:kind>/add/", views.add_row, name="add_row"),
    path(edit + "<str:kind>/<int:pk>/", views.save_row, name="save_row"),
    path(edit + "<str:kind>/<int:pk>/remove/", views.remove_row, name="remove_row"),
    path(edit + "<str:kind>/<int:pk>/move/", views.move_row, name="move_row"),
    path(edit + "<str:step>/", views.step, name="step"),
]
