from django.urls import path

from . import deciding, views

app_name = "authoring"
edit = "w/<slug:workspace_slug>/<int:number>/edit/"
urlpatterns = [
    path("new/", views.start, name="start"),
    path(edit, views.edit, name="edit"),
    # The Decide step (apps/authoring/deciding.py), before the generic step pattern.
    path(edit + "decide/", deciding.decide, name="decide"),
    path(edit + "decide/kit/", deciding.use_kit, name="decide_kit"),
    # What the Decide step fetches after its autosaves, where the other steps' "live" would be.
    path(edit + "decide/live/", deciding.live, name="decide_live"),
    path(edit + "decide/answer/<slug:key>/", deciding.save_answer, name="decide_answer"),
    path(edit + "decide/driver/<slug:key>/", deciding.make_driver, name="decide_driver"),
    path(edit + "decide/criterion/<int:index>/", deciding.save_criterion, name="decide_criterion"),
    path(edit + "decide/choose/", deciding.choose, name="decide_choose"),
    path(edit + "part/<str:part>/", views.save_part, name="save_part"),
    path(edit + "cell/<int:option>/<int:scenario>/", views.save_cell, name="save_cell"),
    path(edit + "submit/", views.submit, name="submit"),
    path(edit + "removed/<int:pk>/undo/", views.undo_remove, name="undo_remove"),
    path(edit + "<str:kind>/add/", views.add_row, name="add_row"),
    path(edit + "<str:kind>/<int:pk>/", views.save_row, name="save_row"),
    path(edit + "<str:kind>/<int:pk>/remove/", views.remove_row, name="remove_row"),
    path(edit + "<str:kind>/<int:pk>/move/", views.move_row, name="move_row"),
    path(edit + "<str:step>/", views.step, name="step"),
    path(edit + "<str:step>/live/", views.live, name="live"),
]
