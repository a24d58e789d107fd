from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.activity.events import notify
from apps.activity.models import Notification

HX = {"HTTP_HX_REQUEST": "true"}


def test_it_lists_my_notifications_only(client, team):
    notify(team["ada"], "Rita approved ADR-0001.", url="/w/team/1/")
    notify(team["rita"], "Not for Ada.")
    client.force_login(team["ada"])

    page = client.get(reverse("activity:notifications")).content.decode()

    assert "Rita approved ADR-0001." in page and "Not for Ada." not in page


def test_it_shows_the_unread_count_in_the_header(client, team):
    notify(team["ada"], "One.")
    notify(team["ada"], "Two.")
    client.force_login(team["ada"])

    page = client.get(reverse("workspaces:workspaces")).content.decode()

    assert '<span class="count" title="unread">2</span>' in page


def test_it_counts_unread_in_one_query(client, team):
    client.force_login(team["ada"])
    with CaptureQueriesContext(connection) as none:
        client.get(reverse("workspaces:workspaces"))
    for n in range(5):
        notify(team["ada"], f"Note {n}.")
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("workspaces:workspaces"))

    counting = [q for q in five if "activity_notification" in q["sql"]]
    assert len(none) == len(five) and len(counting) == 1


def test_it_marks_all_read(client, team):
    notify(team["ada"], "One.")
    notify(team["rita"], "Rita's.")
    client.force_login(team["ada"])

    response = client.post(reverse("activity:read-all"))

    assert response.status_code == 302
    assert not Notification.objects.filter(user=team["ada"]).unread().exists()
    assert Notification.objects.filter(user=team["rita"]).unread().exists()


def test_it_marks_all_read_in_place_for_htmx(client, team):
    notify(team["ada"], "One.")
    client.force_login(team["ada"])

    body = client.post(reverse("activity:read-all"), **HX).content.decode()

    assert body.lstrip().startswith('<div id="notifications">') and "<html" not in body


def test_it_opens_a_notification_marking_it_read(client, team):
    note = notify(team["ada"], "Look.", url="/w/team/1/")
    client.force_login(team["ada"])

    response = client.post(reverse("activity:open", args=[note.pk]))

    assert response.status_code == 302 and response["Location"] == "/w/team/1/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_it_never_redirects_off_site(client, team):
    note = notify(team["ada"], "Look.", url="https://evil.example/")
    client.force_login(team["ada"])

    response = client.post(reverse("activity:open", args=[note.pk]))

    assert response["Location"] == reverse("activity:notifications")


def test_it_will_not_open_someone_elses_notification(client, team):
    note = notify(team["rita"], "Rita's.")
    client.force_login(team["ada"])

    assert client.post(reverse("activity:open", args=[note.pk])).status_code == 404
    assert client.get(reverse("activity:open", args=[note.pk])).status_code == 405
    note.refresh_from_db()
    assert note.read_at is None
