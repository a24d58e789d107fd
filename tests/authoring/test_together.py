"""Writing together: saves conflict per field and per row, never per decision."""

import re

import pytest

from apps.authoring.merging import token
from apps.decisions.models import AuthOption, Decision, Scenario, Support

from ..factories import add_member, make_user
from ..threads import at_once
from .helpers import post, url

HTMX = {"HX-Request": "true"}


def shown(client, decision, step: str) -> str:
    return client.get(url(decision, f"{step}/")).content.decode()


def form_data(html: str, form_id: str) -> dict:
    """What the browser would post from the form `form_id` of a page: its inputs, textareas,
    selects and bases, as they were when the page was loaded."""
    start = html.index(f'<form id="{form_id}"')
    form = html[start : html.index("</form>", start)]
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data[name] = value
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and "hidden" not in tag and "checkbox" not in tag:
            data[name.group(1)] = value.group(1) if value else ""
        if name and "checkbox" in tag and "checked" in tag:
            data[name.group(1)] = "on"
    for name, text in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S):
        data[name] = text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    return data


@pytest.fixture
def coauthor(workspace, client, django_user_model):
    from django.test import Client

    other = Client()
    user = make_user("bo", first_name="Bo", last_name="Berg")
    add_member(workspace, user, "author")
    other.force_login(user)
    return other


def test_it_saves_two_authors_edits_of_different_fields_of_one_decision(
    author_client, coauthor, gateway
):
    mine = form_data(shown(author_client, gateway, "problem"), "part-problem")
    theirs = form_data(shown(coauthor, gateway, "problem"), "part-problem")
    theirs["drivers"] = "Cost\nLatency"
    assert coauthor.post(url(gateway, "part/problem/"), theirs).status_code == 302
    mine["context"] = "Partners need our APIs by June."
    response = author_client.post(url(gateway, "part/problem/"), mine, headers=HTMX)
    assert response.status_code == 200
    saved = Decision.objects.get(pk=gateway.pk)
    assert saved.drivers == "Cost\nLatency"  # theirs, not overwritten by my page's old drivers
    assert saved.context == "Partners need our APIs by June."
    assert saved.revision == 3  # every saved change moves the revision on
    # The answer moves my form's base of the field I saved on; the drivers I never touched
    # keep the base my page showed, so editing them later still sees the co-author's change.
    assert f'name="context__base" value="{token(saved.context)}"' in response.content.decode()
    assert f'name="drivers__base" value="{mine["drivers__base"]}"' in response.content.decode()


def test_it_still_shows_the_conflict_for_the_same_field(author_client, coauthor, gateway):
    mine = form_data(shown(author_client, gateway, "problem"), "part-problem")
    theirs = form_data(shown(coauthor, gateway, "problem"), "part-problem")
    theirs.update(context="Their words.", drivers="Cost")
    assert coauthor.post(url(gateway, "part/problem/"), theirs).status_code == 302
    mine.update(context="My words.", overview="My overview.")
    response = author_client.post(url(gateway, "part/problem/"), mine, headers=HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert html.lstrip().startswith('<form id="part-problem" class="autosave conflict"')
    assert "Someone else changed this" in html and "<pre>Their words.</pre>" in html
    assert "My words." in html
    # The drivers I did not touch show theirs, not my page's old ones, and are not in conflict.
    assert re.search(r'<textarea name="drivers"[^>]*>\n?Cost</textarea>', html)
    saved = Decision.objects.get(pk=gateway.pk)
    assert saved.context == "Their words."  # never silently overwritten
    assert saved.overview == "My overview."  # my other field landed
    # "Keep my text" sends the conflict form, based on theirs: now it lands.
    again = form_data(html, "part-problem")
    assert author_client.post(url(gateway, "part/problem/"), again).status_code == 302
    assert Decision.objects.get(pk=gateway.pk).context == "My words."


def test_it_saves_two_authors_edits_of_different_rows(author_client, coauthor, gateway):
    rest, http = Scenario.objects.filter(decision=gateway).order_by("position")[:2]
    mine = form_data(shown(author_client, gateway, "scenarios"), f"scenario-{rest.pk}")
    theirs = form_data(shown(coauthor, gateway, "scenarios"), f"scenario-{http.pk}")
    theirs[f"scenario-{http.pk}-description"] = "Their HTTP text."
    assert coauthor.post(url(gateway, f"scenario/{http.pk}/"), theirs).status_code == 302
    mine[f"scenario-{rest.pk}-description"] = "My REST text."
    assert author_client.post(url(gateway, f"scenario/{rest.pk}/"), mine).status_code == 302
    assert Scenario.objects.get(pk=http.pk).description == "Their HTTP text."
    assert Scenario.objects.get(pk=rest.pk).description == "My REST text."


def test_it_saves_two_authors_edits_of_different_cells_of_one_matrix(
    author_client, coauthor, gateway
):
    option = AuthOption.objects.get(consideration__decision=gateway, title="Lambda authorizer")
    rest, _, websocket = Scenario.objects.filter(decision=gateway).order_by("position")
    one, two = f"cell-{option.pk}-{rest.pk}", f"cell-{option.pk}-{websocket.pk}"
    mine = form_data(shown(author_client, gateway, "considerations"), one)
    theirs = form_data(shown(coauthor, gateway, "considerations"), two)
    theirs.update({f"{two}-level": "supported", f"{two}-note": "on $connect"})
    assert (
        coauthor.post(url(gateway, f"cell/{option.pk}/{websocket.pk}/"), theirs).status_code == 302
    )
    mine.update({f"{one}-level": "partial"})
    assert author_client.post(url(gateway, f"cell/{option.pk}/{rest.pk}/"), mine).status_code == 302
    cells = {c.scenario_id: (c.level, c.note) for c in Support.objects.filter(option=option)}
    assert cells[websocket.pk] == ("supported", "on $connect")
    assert cells[rest.pk][0] == "partial"
    # The same cell from a page that still shows the old level: their level stays, mine shows.
    stale = dict(theirs, **{f"{two}-level": "not"})
    stale[f"{two}-level__base"] = mine.get(f"{two}-level__base") or token("unknown")
    response = author_client.post(url(gateway, f"cell/{option.pk}/{websocket.pk}/"), stale)
    assert response.status_code == 409
    assert Support.objects.get(option=option, scenario=websocket).level == "supported"


def test_it_labels_each_matrix_cell_by_option_and_scenario(author_client, gateway):
    html = shown(author_client, gateway, "considerations")
    option = AuthOption.objects.get(consideration__decision=gateway, title="IAM authentication")
    rest = Scenario.objects.get(decision=gateway, title="REST API")
    key = f"cell-{option.pk}-{rest.pk}"
    assert (
        f'<label class="visually-hidden" for="id_{key}-level">IAM authentication × REST API</label>'
        in html
    )
    assert f'for="id_{key}-note">IAM authentication × REST API: note</label>' in html
    assert "Level:" not in html


def test_it_hides_save_buttons_from_scripts_but_keeps_them_without(author_client, gateway):
    html = shown(author_client, gateway, "problem")
    form = html[html.index('<form id="part-problem"') :]
    form = form[: form.index("</form>")]
    assert '<noscript><button type="submit">Save</button></noscript>' in form
    assert 'hx-trigger="input delay:800ms, change, submit"' in form


def test_it_keeps_each_form_s_bases_in_a_region_it_renders_again(author_client, gateway):
    # A move re-renders the scenarios with the bar and preview out of band; the forms' bases
    # stay inside their forms (were they out of band too, htmx would pull them out).
    first, second = Scenario.objects.filter(decision=gateway).order_by("position")[:2]
    response = post(
        author_client, gateway, f"scenario/{second.pk}/move/", {"direction": "up"}, htmx=True
    )
    html = response.content.decode()
    assert f'<div id="scenario-{first.pk}-bases" class="bases" hidden>' in html
    assert '-bases" class="bases" hidden hx-swap-oob' not in html


def test_it_refuses_a_row_title_a_co_author_has_just_taken_with_the_text_kept(
    author_client, coauthor, gateway
):
    rest, http = Scenario.objects.filter(decision=gateway).order_by("position")[:2]
    mine = form_data(shown(author_client, gateway, "scenarios"), f"scenario-{rest.pk}")
    theirs = form_data(shown(coauthor, gateway, "scenarios"), f"scenario-{http.pk}")
    theirs[f"scenario-{http.pk}-title"] = "Managed gateway"
    assert coauthor.post(url(gateway, f"scenario/{http.pk}/"), theirs).status_code == 302
    # Both pages were loaded before: mine does not know the title is taken now.
    mine[f"scenario-{rest.pk}-title"] = "Managed gateway"
    mine[f"scenario-{rest.pk}-description"] = "My REST text."

    response = author_client.post(url(gateway, f"scenario/{rest.pk}/"), mine, headers=HTMX)

    # The form finds the title taken (422); had both saves passed the form at the same moment,
    # the database's constraint refuses the second with a 409 and the same kept text.
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is already one called “Managed gateway”." in html
    assert "My REST text." in html  # what the person typed is shown again, not lost
    assert Scenario.objects.get(pk=rest.pk).title == rest.title


@pytest.mark.django_db(transaction=True)
def test_it_never_fails_two_rows_renamed_to_one_title_at_once(author_client, coauthor, gateway):
    rest, http = Scenario.objects.filter(decision=gateway).order_by("position")[:2]
    statuses = []
    for round_ in range(5):
        title = f"Managed gateway {round_}"
        mine = form_data(shown(author_client, gateway, "scenarios"), f"scenario-{rest.pk}")
        theirs = form_data(shown(coauthor, gateway, "scenarios"), f"scenario-{http.pk}")
        mine[f"scenario-{rest.pk}-title"] = theirs[f"scenario-{http.pk}-title"] = title

        def save(client, pk, data):
            statuses.append(client.post(url(gateway, f"scenario/{pk}/"), data).status_code)

        errors = at_once(
            [
                lambda mine=mine: save(author_client, rest.pk, mine),
                lambda theirs=theirs: save(coauthor, http.pk, theirs),
            ]
        )
        assert errors == []
        # One of them lands; the other is told (422 from the form, or 409 when both passed the
        # form before either wrote): never a server error, never both.
        assert Scenario.objects.filter(decision=gateway, title=title).count() == 1
        rest.refresh_from_db()
        http.refresh_from_db()
    assert set(statuses) <= {302, 409, 422}, statuses
    assert statuses.count(302) == 5
