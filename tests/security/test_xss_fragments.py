"""The XSS corpus through the fragments htmx swaps in: editor steps, saves, conflicts, reviews.

Fragments hold our own forms, so the check differs from the page's: user Markdown must sit in
`hx-disable` regions and pass the full check there; elsewhere user text may only appear escaped
(as field values and text), and no element may carry an event handler, `hx-on`, or a script URL.
"""

from html.parser import HTMLParser

import pytest

from apps.authoring.completeness import STEP_SLUGS
from apps.reviews.models import Thread

from ..authoring.helpers import post, url
from .xss import (
    ALL_PAYLOADS,
    SAFE_SCHEMES,
    SHORT_PAYLOAD,
    assert_harmless,
    elements,
    hostile_decision,
    url_scheme,
)

HX = {"HX-Request": "true"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
HX_URL_ATTRIBUTES = {"hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"}
NEVER_IN_FRAGMENTS = {
    "script", "iframe", "frame", "object", "embed", "base", "meta", "link", "style", "math",
    "template", "video", "audio", "source", "body", "marquee",
}  # fmt: skip


def hx_disabled_regions(html: str) -> list[str]:
    """The inner HTML of each element carrying hx-disable."""
    # HTMLParser counts lines by "\n" alone.
    starts = [0]
    for line in html.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    regions: list[str] = []

    class Finder(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.stack: list[tuple[str, int | None]] = []

        def position(self) -> int:
            line, column = self.getpos()
            return starts[line - 1] + column

        def handle_starttag(self, tag, attrs):
            if tag in {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source"}:
                return
            opening = self.get_starttag_text() or ""
            marked = any(name == "hx-disable" for name, _ in attrs)
            self.stack.append((tag, self.position() + len(opening) if marked else None))

        def handle_endtag(self, tag):
            while self.stack:
                open_tag, begin = self.stack.pop()
                if begin is not None:
                    regions.append(html[begin : self.position()])
                if open_tag == tag:
                    break

    Finder().feed(html)
    return regions


def assert_fragment_harmless(html: str) -> None:
    if html.lstrip().lower().startswith("<!doctype"):
        # A whole page (a boosted step link): its head holds our own static scripts only.
        head = html[: html.index("<main")]
        assert_fragment_harmless(head[head.index(">", head.index("<body")) + 1 :])
        html = html[html.index("<main") : html.index("</main>")]
    for region in hx_disabled_regions(html):
        assert_harmless(region)
    for tag, attrs in elements(html):
        if tag in {"script", "link"}:
            # Ours: a static file, nothing inline.
            assert (dict(attrs).get("src") or dict(attrs).get("href") or "").startswith(
                "/static/"
            ), (tag, attrs)
            continue
        assert tag not in NEVER_IN_FRAGMENTS, (tag, attrs)
        for name, value in attrs:
            assert not name.startswith(("on", "hx-on", "data-hx-on", "data-hx-", "_")), (tag, name)
            if name in URL_ATTRIBUTES:
                scheme = url_scheme(value or "")
                assert scheme is None or scheme in SAFE_SCHEMES, (tag, name, value)
            if name in HX_URL_ATTRIBUTES:
                # htmx only ever talks to our own paths.
                assert (value or "").startswith("/w/"), (tag, name, value)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror=alert(1)>" not in html


@pytest.fixture
def hostile(workspace, author):
    decision = hostile_decision(workspace)
    decision.owner = author
    decision.save()
    return decision


@pytest.mark.parametrize("step", STEP_SLUGS)
def test_it_keeps_each_editor_step_fragment_harmless(author_client, hostile, step):
    response = author_client.get(url(hostile, f"{step}/"), headers=HX)

    assert response.status_code == 200
    assert_fragment_harmless(response.content.decode())


def test_it_keeps_the_fragment_of_a_saved_part_harmless(author_client, hostile):
    data = {"title": SHORT_PAYLOAD, "context": ALL_PAYLOADS, "overview": "", "drivers": ""}
    response = post(author_client, hostile, "part/problem/", data, htmx=True)

    assert response.status_code == 200
    assert_fragment_harmless(response.content.decode())


@pytest.mark.parametrize(
    "title,status",
    [
        (SHORT_PAYLOAD + " 2", 200),
        # The same title as the hostile scenario: refused, the text shown again with the error.
        (SHORT_PAYLOAD, 422),
    ],
)
def test_it_keeps_the_fragment_of_an_added_row_harmless(author_client, hostile, title, status):
    prefix = f"scenario-new-{hostile.pk}"
    data = {
        f"{prefix}-title": title,
        f"{prefix}-description": ALL_PAYLOADS,
        f"{prefix}-choose_when": ALL_PAYLOADS,
    }
    response = post(author_client, hostile, "scenario/add/", data, htmx=True)

    assert response.status_code == status
    assert_fragment_harmless(response.content.decode())


def test_it_keeps_a_conflict_fragment_harmless(author_client, hostile):
    data = {"title": "Mine", "context": ALL_PAYLOADS, "overview": "", "drivers": "", "revision": 0}
    response = post(author_client, hostile, "part/problem/", data, htmx=True)

    assert response.status_code == 409
    html = response.content.decode()
    assert_fragment_harmless(html)
    # Both texts are there for the person to compare, escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_keeps_the_review_panel_fragment_harmless(client, hostile, workspace, author):
    from ..factories import add_member, make_user

    rita = make_user("rita")
    add_member(workspace, rita, "reviewer")
    thread = Thread.start(hostile, "scenarios", rita, ALL_PAYLOADS)
    client.force_login(rita)

    panel = client.get(f"/w/team/{hostile.number}/review/", headers=HX)
    reply = client.post(
        f"/w/team/{hostile.number}/review/threads/{thread.pk}/reply/",
        {"body": ALL_PAYLOADS},
        headers=HX,
    )

    assert panel.status_code == 200 and reply.status_code == 200
    for response in (panel, reply):
        html = response.content.decode()
        assert 'class="comment-body" hx-disable' in html
        assert_fragment_harmless(html)
