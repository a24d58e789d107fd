"""Posting to the editor as a browser without JavaScript would, or as htmx does."""

from apps.decisions.models import Decision

BASE = "/w/{slug}/{number}/edit/"


def url(decision: Decision, rest: str) -> str:
    return BASE.format(slug=decision.workspace.slug, number=decision.number) + rest


def post(client, decision: Decision, rest: str, data: dict | None = None, htmx=False, **extra):
    data = dict(data or {})
    decision.refresh_from_db(fields=["revision"])
    data.setdefault("revision", decision.revision)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url(decision, rest), data, headers=headers, **extra)
