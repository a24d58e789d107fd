"""The decision page after a review step: every region that shows what changed is sent again,
and each section shows its comments beside its text."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.decisions.models import Consideration, Decision
from apps.formats.record import Record, ScenarioEntry
from apps.reviews.models import Thread
from apps.reviews.outline import split_sections

from .helpers import accepted, draft, in_review, open_round

HTMX = {"HX-Request": "true"}


def url(decision, tail: str = "") -> str:
    return f"/w/{decision.workspace.slug}/{decision.number}/{tail}"


def oob(html: str, region_id: str) -> str:
    """The out-of-band region with that id in an htmx answer, or "" if it is not there."""
    match = re.search(rf'<(\w+) [^>]*id="{region_id}"[^>]*hx-swap-oob="true"', html)
    if not match:
        return ""
    start = match.start()
    return html[start : html.index(f"</{match.group(1)}>", start)]


@pytest.fixture
def reviewing(people):
    return in_review(people["workspace"], people["ada"], [people["rita"]])


def test_it_sends_the_accepted_badge_with_the_approval_that_accepts(client, reviewing, people):
    client.force_login(people["rita"])
    response = client.post(url(reviewing, "review/approve/"), headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<aside class="review-panel"')
    badge = oob(html, "decision-status")
    assert 'class="status status-accepted"' in badge and ">Accepted<" in badge + "<"
    assert json.loads(response["HX-Trigger"])["decision-changed"]["status"] == "accepted"
    assert "Edit</a>" not in oob(html, "decision-actions")


def test_it_sends_the_draft_badge_and_the_edit_link_after_reopening(client, people):
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    client.force_login(people["ada"])
    html = client.post(url(decision, "status/"), {"to": "draft"}, headers=HTMX).content.decode()
    assert "status-draft" in oob(html, "decision-status")
    assert f'href="/w/team/{decision.number}/edit/"' in oob(html, "decision-actions")
    assert "Draft of version 2" in html


def test_it_sends_the_stored_status_with_a_refused_stale_move(client, reviewing, people):
    client.force_login(people["rita"])
    client.post(url(reviewing, "review/approve/"))  # accepted, while Ada's page says in review
    client.force_login(people["ada"])
    data = {"to": "draft", "seen": "in_review"}
    response = client.post(url(reviewing, "status/"), data, headers=HTMX)
    assert response.status_code == 409
    assert "status-accepted" in oob(response.content.decode(), "decision-status")


def test_it_shows_each_section_s_threads_beside_its_text(client, reviewing, people):
    Thread.start(reviewing, "scenario:REST API", people["rita"], "What about *gRPC*?")
    resolved = Thread.start(reviewing, "context", people["rita"], "Typo.")
    resolved.resolve(people["ada"])
    client.force_login(people["ada"])
    page = client.get(reviewing.get_absolute_url()).content.decode()

    # The REST API heading, then its widget with the open thread and a reply form.
    rest = page.index('id="section-scenario-rest-api"')
    widget = page[rest : page.index('id="section-scenario-http-api"')]
    assert "<h3>REST API</h3>" in widget
    assert "1 open comment" in widget and "<em>gRPC</em>" in widget
    assert 'name="body"' in widget and "/review/threads/" in widget
    context = page[page.index('id="section-context"') : rest]
    assert "1 resolved comment" in context and "Typo." in context
    # Sections without threads offer a comment form in place, named for that section.
    options = page[page.index('id="threads-section-options"') :]
    assert 'value="options"' in options[:3000] and "New comment on Considered Options" in options


def test_it_gives_viewers_the_threads_but_no_forms(client, reviewing, people):
    Thread.start(reviewing, "context", people["rita"], "Why now?")
    client.force_login(people["vic"])
    page = client.get(reviewing.get_absolute_url()).content.decode()
    widget = page[page.index('id="threads-section-context"') :]
    widget = widget[: widget.index("</details>")]
    assert "Why now?" in widget and "<form" not in widget


def test_it_sends_every_section_s_threads_after_a_comment_and_with_each_poll(
    client, reviewing, people
):
    client.force_login(people["rita"])
    data = {"section": "scenario:HTTP API", "body": "Cheaper?"}
    html = client.post(url(reviewing, "review/threads/"), data, headers=HTMX).content.decode()
    region = oob(html, "threads-section-scenario-http-api")
    assert "1 open comment" in region and "Cheaper?" in region
    assert oob(html, "threads-section-context")  # all of them, so none disagrees
    polled = client.get(url(reviewing, "review/"), headers=HTMX).content.decode()
    assert polled.lstrip().startswith('<section class="review-threads"')
    assert "Cheaper?" in oob(polled, "threads-section-scenario-http-api")


def test_it_links_the_open_considerations_to_their_sections(client, people):
    decision = draft(people["workspace"], people["ada"])
    Consideration.objects.create(decision=decision, title="Monitoring and Tracing", is_open=True)
    client.force_login(people["ada"])
    page = client.get(decision.get_absolute_url()).content.decode()
    banner = page[page.index('class="open-summary"') :]
    banner = banner[: banner.index("</aside>")]
    assert '<a href="#section-consideration-monitoring-and-tracing">' in banner
    assert 'id="section-consideration-monitoring-and-tracing"' in page


def test_it_keeps_the_page_queries_flat_with_threads_on_many_sections(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    client.force_login(people["ada"])
    client.get(decision.get_absolute_url())  # warm: the page's render cache holds the record
    # Each read after a comment reads the review afresh (a new stamp): compare those reads.
    Thread.start(decision, "context", people["rita"], "One")
    with CaptureQueriesContext(connection) as few:
        client.get(decision.get_absolute_url())
    for section in ["options", "outcome", "scenario:REST API", "scenario:HTTP API"]:
        for i in range(3):
            Thread.start(decision, section, people["rita"], f"{section} {i}").reply(
                people["ada"], "Noted."
            )
    with CaptureQueriesContext(connection) as many:
        page = client.get(decision.get_absolute_url()).content.decode()
    assert len(many) == len(few)
    assert page.count(">3 open comments<") == 4 and "13 open comments" in page


def test_it_keeps_the_text_whole_around_the_threads(client, reviewing, people):
    Decision.objects.filter(pk=reviewing.pk).update(
        context="> ## Context and Problem Statement\n>\n> quoted, not a section\n\n<b>bold"
    )
    client.force_login(people["ada"])
    page = client.get(reviewing.get_absolute_url()).content.decode()
    body = page[page.index('<div class="record-body">') :]
    # The quoted heading is inside the quote: not cut there, so the quote stays one element.
    assert body.count('id="section-context"') == 1
    assert "<blockquote>\n<h2>Context and Problem Statement</h2>" in body


def test_it_finds_sections_whose_titles_hold_markup_characters():
    record = Record(title="T", scenarios=[ScenarioEntry(title="R&D <API>")])
    html = (
        "<p>intro</p>\n<h2>Pros and Cons of the Options</h2>\n<p>x</p>\n"
        "<h3>R&amp;D &lt;API&gt;</h3>\n<p>y</p>\n<blockquote>\n<h2>Decision Drivers</h2>\n"
        "</blockquote>\n"
    )
    parts = split_sections(html, record)
    assert [key for key, _ in parts] == ["", "pros_cons", "scenario:R&D <API>"]
    assert "".join(part for _, part in parts) == html  # nothing lost, nothing added
    assert parts[2][1].startswith("<h3>R&amp;D &lt;API&gt;</h3>")


def test_it_gives_the_review_page_a_badge_the_steps_replace(client, reviewing, people):
    client.force_login(people["rita"])
    page = client.get(url(reviewing, "review/")).content.decode()
    assert '<span id="decision-status" class="status status-in_review">' in page


def test_it_says_approvals_in_words_and_keeps_the_hash_aside(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"], people["rob"]], 2)
    open_round(decision).approve(people["rita"])
    client.force_login(people["ada"])
    page = client.get(decision.get_absolute_url()).content.decode()
    panel = page[page.index('id="review-panel"') :]
    assert "1 of 2</strong> approvals of this text" in panel
    assert "rita approved this text" in panel
    # The hash only where a person who wants it looks: a details element, a title attribute.
    words = re.sub(r'title="[^"]*"', "", panel)
    words = re.sub(r'<details class="fingerprint">.*?</details>', "", words, flags=re.S)
    assert not re.search(r"[0-9a-f]{12}", words)
    assert '<details class="fingerprint">' in panel

    open_round(decision).approve(people["rob"])  # accepted
    history = client.get(decision.get_absolute_url()).content.decode()
    history = history[history.index('id="history"') :]
    assert "2 approvals of the text frozen as v1" in history
    assert not re.search(r"[0-9a-f]{12}", re.sub(r'title="[^"]*"', "", history))
