from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("w/<slug:workspace_slug>/<int:number>/review/", views.review, name="review"),
    path("w/<slug:workspace_slug>/<int:number>/review/submit/", views.submit, name="submit"),
    path(
        "w/<slug:workspace_slug>/<int:number>/review/threads/",
        views.start_thread,
        name="start-thread",
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/review/threads/<int:pk>/reply/",
        views.reply,
        name="reply",
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/review/threads/<int:pk>/resolve/",
        views.resolve,
        name="resolve",
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/review/threads/<int:pk>/reopen/",
        views.reopen,
        name="reopen",
    ),
    path("w/<slug:workspace_slug>/<int:number>/review/approve/", views.approve, name="approve"),
    path(
        "w/<slug:workspace_slug>/<int:number>/review/request-changes/",
        views.request_changes,
        name="request-changes",
    ),
    path(
        "w/<slug:workspace_slug>/<int:number>/review/changes/<int:pk>/withdraw/",
        views.withdraw,
        name="withdraw",
    ),
    path("w/<slug:workspace_slug>/<int:number>/status/", views.move, name="move"),
]
