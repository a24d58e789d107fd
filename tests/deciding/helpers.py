"""A draft from the API gateway kit, and posting to its Decide step."""

from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit
from apps.decisions.models import Decision, Scenario

BASE = "/w/{slug}/{number}/edit/decide/"


def gateway_draft(workspace, owner=None) -> Decision:
    load_kits()
    return Kit.objects.get(slug="api-gateway").start(workspace, owner=owner)


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
