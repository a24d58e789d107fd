from django.urls import path

from . import views

app_name = "activity"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.read_all, name="read-all"),
    path("notifications/<int:pk>/open/", views.open_notification, name="open"),
]
