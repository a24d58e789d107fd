"""The XSS corpus and the checks every rendering of user text must pass."""

import re
from html.parser import HTMLParser
from pathlib import Path

from django.db import models

from apps.decisions.models import (
    Consequence,
    Consideration,
    Decision,
    FreeSection,
    Option,
    Participant,
    Reference,
    Scenario,
    ScenarioPoint,
    Support,
    Tag,
)

PAYLOADS = [
    line.replace("\\n", "\n")
    for line in (Path(__file__).parent / "xss_payloads.txt").read_text().splitlines()
    if line and not line.startswith("# ")
]
ALL_PAYLOADS = "\n\n".join(PAYLOADS)
SHORT_PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(1)>"
ACTIVE_TAGS = {
    "script",
    "iframe",
    "frame",
    "frameset",
    "svg",
    "math",
    "object",
    "embed",
    "link",
    "style",
    "form",
    "input",
    "button",
    "base",
    "meta",
    "template",
    "video",
    "audio",
    "source",
    "body",
    "marquee",
    "isindex",
    "bgsound",
}
SAFE_SCHEMES = {"http", "https", "mailto"}


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector(convert_charrefs=True).feed(html)
    return found


def url_scheme(url: str) -> str | None:
    """The scheme a browser reads (WHATWG URL): tabs and newlines vanish, edges are trimmed."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c"
        "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
        "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    return match[1].lower() if match else None


def assert_harmless(html: str) -> None:
    """No active element, event or htmx attribute, or script URL. Text may say anything."""
    for tag, attrs in elements(html):
        assert tag not in ACTIVE_TAGS, (tag, attrs)
        for name, value in attrs:
            if name == "hx-disable":  # ours: it switches htmx off for the user content inside
                continue
            assert not name.startswith(("on", "hx-", "data-hx", "style", "_")), (tag, name)
            if name in {"href", "src", "action", "formaction", "background", "xlink:href"}:
                scheme = url_scheme(value or "")
                assert scheme is None or scheme in SAFE_SCHEMES, (tag, name, value)


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and f.name not in {"url"}
    ]


def fill(instance: models.Model) -> models.Model:
    for field in text_fields(type(instance)):
        long_enough = not field.max_length or field.max_length >= len(ALL_PAYLOADS)
        value = ALL_PAYLOADS if long_enough else SHORT_PAYLOAD
        setattr(instance, field.name, value[: field.max_length] if field.max_length else value)
    return instance


def hostile_decision(workspace, number: int = 1) -> Decision:
    """A decision with the whole corpus in every text field of every part of the record."""
    decision = fill(Decision(workspace=workspace, number=number))
    decision.title = SHORT_PAYLOAD
    decision.save()
    scenario = fill(Scenario(decision=decision))
    scenario.save()
    fill(ScenarioPoint(scenario=scenario, kind="good")).save()
    fill(Consequence(decision=decision, kind="bad")).save()
    consideration = fill(Consideration(decision=decision, is_open=True))
    consideration.save()
    option = fill(Option(consideration=consideration))
    option.save()
    fill(Support(option=option, scenario=scenario, level="partial")).save()
    fill(Reference(decision=decision, url="javascript:alert(1)")).save()
    fill(FreeSection(decision=decision)).save()
    fill(Participant(decision=decision, role="consulted")).save()
    decision.tags.add(Tag.objects.create(workspace=workspace, name=SHORT_PAYLOAD[:60]))
    return decision
