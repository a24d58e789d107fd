"""Posting to the editor as a browser without JavaScript would, or as htmx does."""

from apps.decisions.models import AuthOption, Decision, Support

BASE = "/w/{slug}/{number}/edit/"


def url(decision: Decision, rest: str) -> str:
    return BASE.format(slug=decision.workspace.slug, number=decision.number) + rest


def post(client, decision: Decision, rest: str, data: dict | None = None, htmx=False, **extra):
    data = dict(data or {})
    decision.refresh_from_db(fields=["revision"])
    data.setdefault("revision", decision.revision)
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url(decision, rest), data, headers=headers, **extra)


def complete(decision: Decision) -> None:
    """Fill what the API gateway kit leaves open, straight in the database."""
    decision.considerations.update(is_open=False)
    websocket = decision.scenarios.get(title="WebSocket API")
    websocket.points.create(kind="bad", text="fewer authorizers")
    for option in AuthOption.objects.filter(consideration__decision=decision):
        for scenario in decision.scenarios.all():
            Support.objects.update_or_create(
                option=option, scenario=scenario, defaults={"level": "partial"}
            )
    # The kit's context is only a prompt: the author writes the problem.
    Decision.objects.filter(pk=decision.pk).update(
        chosen=websocket, context="Partners need our APIs by June."
    )


def add_rows(decision: Decision) -> None:
    """Give the kit's decision two of each row kind it starts without, or with only one of."""
    for i, (kind, text) in enumerate([("good", "fewer keys"), ("bad", "lock-in")]):
        decision.consequences.create(kind=kind, text=text, position=i)
    decision.references.create(title="WebSocket APIs", url="https://example.com/ws", position=9)
    for title in ["Use a WAF", "Trace every request"]:
        target = Decision.objects.create(
            workspace=decision.workspace,
            title=title,
            number=Decision.next_number(decision.workspace),
        )
        decision.relations.create(kind="see_also", target=target)
