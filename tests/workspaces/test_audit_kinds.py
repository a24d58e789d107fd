"""The audit page's filter lists each kind of event once, by a name a person reads."""

import re

from django.urls import reverse

from apps.activity.events import record_event
from apps.activity.verbs import verb_label

AUDIT = reverse("workspaces:audit", args=["team"])


def options(page: str) -> list[tuple[str, str]]:
    select = page.split('<select name="verb"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_it_lists_each_kind_once_however_many_events(client, team):
    for _ in range(3):
        record_event(team["workspace"], team["ada"], "exported", target="a zip")
        record_event(team["workspace"], team["rita"], "changes_requested", target="ADR-0001")
    record_event(team["workspace"], team["adam"], "member_invited", email="x@example.com")
    client.force_login(team["adam"])

    listed = options(client.get(AUDIT).content.decode())

    assert listed == [
        ("", "Everything"),
        ("changes_requested", "Changes requested"),
        ("exported", "Exported"),
        ("member_invited", "Member invited"),
    ]


def test_it_names_the_kind_in_each_row_not_its_code(client, team):
    record_event(team["workspace"], team["rita"], "changes_requested", target="ADR-0001")
    client.force_login(team["adam"])

    events = client.get(AUDIT).content.decode().split('<div id="events">', 1)[1]

    assert "<td>Changes requested</td>" in events and "changes_requested" not in events


def test_it_keeps_the_selected_kind_selected(client, team):
    record_event(team["workspace"], team["ada"], "exported", target="a zip")
    client.force_login(team["adam"])

    page = client.get(AUDIT + "?verb=exported").content.decode()

    assert '<option value="exported" selected>Exported</option>' in page


def test_it_reads_an_unnamed_kind_as_words():
    assert verb_label("board_published") == "Board published"
    assert verb_label("") == "Something"


def test_it_names_the_actor_by_name_and_username(client, team):
    team["rita"].first_name, team["rita"].last_name = "Rita", "Reviewer"
    team["rita"].save()

    event = record_event(team["workspace"], team["rita"], "approved", target="ADR-0001")
    client.force_login(team["adam"])

    assert event.actor_label == "Rita Reviewer (rita)"
    assert "<td>Rita Reviewer</td>" in client.get(AUDIT).content.decode()
