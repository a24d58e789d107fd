"""A draft from the API gateway kit, and posting to its Decide step."""

import re

from django.forms.models import model_to_dict

from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit
from apps.decisions.models import Decision, Scenario

BASE = "/w/{slug}/{number}/edit/decide/"


def gateway_draft(workspace, owner=None) -> Decision:
    add_kits()
    return Kit.objects.get(slug="api-gateway").start(workspace, owner=owner)


# The kits' fields as load_kits made them the first time, for the next tests.
_kit_fields: list[dict] = []


def add_kits() -> None:
    """The kits as load_kits adds them. It reads, dumps and validates every kit's YAML, 0.2 s
    each time, and some fifty tests here start from a kit: the first call runs it, the next ones
    add the rows it made."""
    if not _kit_fields:
        _kit_fields.extend(model_to_dict(kit, exclude=["id"]) for kit in load_kits())
        return
    for fields in _kit_fields:
        Kit.objects.get_or_create(slug=fields["slug"], defaults=fields)


def url(decision: Decision, rest: str = "") -> str:
    return BASE.format(slug=decision.workspace.slug, number=decision.number) + rest


def post(client, decision: Decision, rest: str, data: dict | None = None, htmx=False):
    data = dict(data or {})
    decision.refresh_from_db(fields=["revision"])
    data.setdefault("revision", decision.revision)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url(decision, rest), data, headers=headers)


def scenario(decision: Decision, title: str) -> Scenario:
    return Scenario.objects.get(decision=decision, title=title)


def live(client, decision: Decision) -> str:
    """What the page fetches after its autosaves: the ranking, the effects, the step bar."""
    response = client.get(url(decision, "live/"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def form_data(html: str, form_id: str) -> dict:
    """What the browser would post from the Decide form `form_id` of a page as it was loaded:
    its hidden inputs (bases among them), the checked radio, the text inputs and the selects."""
    start = html.index(f'<form id="{form_id}"')
    form = html[start : html.index("</form>", start)]
    data = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name is None or ('type="radio"' in tag and " checked" not in tag):
            continue
        data[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    return data
