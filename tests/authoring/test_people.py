"""People and metadata on the problem step: autosaved, linked to members, in every export."""

import datetime

import yaml

from apps.decisions.models import Decision, Participant
from apps.decisions.rendering import record_markdown
from apps.versions.models import Version

from ..factories import add_member, make_decision, make_user, make_workspace
from .helpers import post, url

PEOPLE = {
    "decision_makers": "Dana Demo\nSecurity team",
    "consulted": "bo, Platform guild",
    "informed": "Everyone in #api",
    "tags": "security, api, api",
    "decided_on": "2026-11-30",
}


def front_matter(markdown: str) -> dict:
    assert markdown.startswith("---\n")
    return yaml.safe_load(markdown.split("---\n")[1])


def test_it_saves_people_owner_tags_and_date_and_links_members(
    author_client, gateway, workspace, author
):
    dana = make_user("dana", first_name="Dana", last_name="Demo")
    bo = make_user("bo")
    add_member(workspace, dana, "reviewer")
    add_member(workspace, bo, "author")
    response = post(author_client, gateway, "part/people/", {**PEOPLE, "owner": dana.pk})
    assert response.status_code == 302 and "/edit/problem/" in response["Location"]
    saved = Decision.objects.with_record().get(pk=gateway.pk)
    assert saved.participant_names("decision_maker") == ["Dana Demo", "Security team"]
    assert saved.participant_names("consulted") == ["bo", "Platform guild"]
    assert saved.participant_names("informed") == ["Everyone in #api"]
    # A name that is a member's (full name or username) points at them; a group stays text.
    users = dict(Participant.objects.filter(decision=gateway).values_list("name", "user"))
    assert users == {
        "Dana Demo": dana.pk,
        "Security team": None,
        "bo": bo.pk,
        "Platform guild": None,
        "Everyone in #api": None,
    }
    assert saved.owner == dana
    assert sorted(t.name for t in saved.tags.all()) == ["api", "security"]
    assert saved.decided_on == datetime.date(2026, 11, 30)
    assert saved.revision == 2


def test_it_writes_the_people_in_the_madr_front_matter_and_a_frozen_version(author_client, gateway):
    post(author_client, gateway, "part/people/", {**PEOPLE, "owner": ""})
    record = Decision.objects.with_record().get(pk=gateway.pk).to_record()
    front = front_matter(record_markdown(record, "madr"))
    assert front["decision-makers"] == ["Dana Demo", "Security team"]
    assert front["consulted"] == ["bo", "Platform guild"]
    assert front["informed"] == ["Everyone in #api"]
    assert front["tags"] == ["api", "security"]
    version = Version.freeze(gateway, record, approvals=[])
    assert front_matter(version.markdown)["decision-makers"] == ["Dana Demo", "Security team"]


def test_it_shows_the_people_form_on_the_problem_step(author_client, gateway, workspace):
    Participant.objects.create(decision=gateway, role="consulted", name="Security team")
    html = author_client.get(url(gateway, "problem/")).content.decode()
    assert '<form id="part-people"' in html
    for label in ["Decision makers", "Consulted", "Informed", "Owner", "Tags", "Decision date"]:
        assert f">{label}:</label>" in html
    assert ">\nSecurity team</textarea>" in html
    assert 'type="date" name="decided_on"' in html


def test_it_keeps_a_co_author_s_people_when_saving_other_fields(author_client, gateway):
    html = author_client.get(url(gateway, "problem/")).content.decode()
    base = html.split('name="informed__base" value="')[1].split('"')[0]
    # Someone else lists the informed meanwhile; my page still shows none.
    Participant.objects.create(decision=gateway, role="informed", name="Support desk")
    data = {"decision_makers": "Dana Demo", "informed": "", "informed__base": base}
    response = post(author_client, gateway, "part/people/", data, htmx=True)
    # My decision makers land; their informed stay, since I did not touch mine.
    assert response.status_code == 200
    saved = Decision.objects.get(pk=gateway.pk)
    assert saved.participant_names("decision_maker") == ["Dana Demo"]
    assert saved.participant_names("informed") == ["Support desk"]
    # Writing into the informed my page showed empty is a conflict: theirs is shown beside.
    data["informed"] = "Ops"
    response = post(author_client, gateway, "part/people/", data, htmx=True)
    assert response.status_code == 409
    assert "<pre>Support desk</pre>" in response.content.decode()
    assert Decision.objects.get(pk=gateway.pk).participant_names("informed") == ["Support desk"]


def test_it_refuses_an_owner_who_is_not_a_member(author_client, gateway):
    stranger = make_user("eve")
    add_member(make_workspace("elsewhere"), stranger, "admin")
    response = post(author_client, gateway, "part/people/", {"owner": stranger.pk}, htmx=True)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert Decision.objects.get(pk=gateway.pk).owner_id != stranger.pk


def test_it_refuses_too_many_or_too_long_names_and_keeps_the_text(author_client, gateway):
    many = "\n".join(f"Person {i}" for i in range(60))
    response = post(author_client, gateway, "part/people/", {"consulted": many})
    assert response.status_code == 422 and "At most 50 names" in response.content.decode()
    assert "Person 59" in response.content.decode()  # what was typed stays
    response = post(author_client, gateway, "part/people/", {"tags": "x" * 61})
    assert response.status_code == 422 and "longer than 60 characters" in response.content.decode()
    response = post(author_client, gateway, "part/people/", {"decided_on": "2026-13-45"})
    assert response.status_code == 422 and "Enter a valid date" in response.content.decode()
    assert not Participant.objects.filter(decision=gateway).exists()


def test_it_refuses_people_to_a_viewer_and_on_another_workspace(viewer_client, gateway):
    assert post(viewer_client, gateway, "part/people/", PEOPLE).status_code == 403
    other = make_decision(make_workspace("elsewhere"), "Theirs")
    response = viewer_client.post(f"/w/elsewhere/{other.number}/edit/part/people/", PEOPLE)
    assert response.status_code == 404
    assert viewer_client.get(url(gateway, "part/people/")).status_code == 405
