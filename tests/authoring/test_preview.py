"""The preview is the page's rendering, its unchanged sections read from the cache, and an
autosave shows in it, and in the log, on the very next read."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from apps.authoring.preview import SECTION, _key, preview_html
from apps.decisions.building import save_record
from apps.decisions.rendering import page_link_for, record_html
from apps.formats.writers import madr_body
from bench.seed import generate_record

from .helpers import post, url

HTMX = {"HX-Request": "true"}


def draft(workspace, author, number: int):
    """A generated decision of about two printed pages, as a draft."""
    record = generate_record(number)
    record.status = "draft"
    return save_record(workspace, record, owner=author, number=1)


def live(client, decision, step: str = "problem") -> str:
    response = client.get(url(decision, f"{step}/live/"), headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("number", range(1, 9))
def test_it_renders_a_generated_record_as_the_page_does(number):
    record = generate_record(number)

    assert str(preview_html(record, image_hosts=("img.example.com",))) == str(
        record_html(record, image_hosts=("img.example.com",))
    )


@pytest.mark.parametrize(
    "context",
    [
        "See [the runbook][rb].\n\n## Not a section\n\n[rb]: https://example.com/rb",
        "```\n## inside a fence\n```",
        "<div>\n\n## inside raw HTML\n\n</div>",
        ":::info Careful\n## inside a callout\n:::",
        "* a list\n## straight after it\n\n* another",
        "| a | b |\n| - | - |\n| 1 | 2 |\n## after a table",
    ],
)
def test_it_renders_text_that_reaches_across_headings_as_the_page_does(context):
    record = generate_record(1)
    record.context = context

    assert str(preview_html(record)) == str(record_html(record))


def test_it_shows_an_autosave_in_the_preview_and_the_log_at_once(author_client, workspace, author):
    decision = draft(workspace, author, 3)
    assert "Edited once." not in live(author_client, decision)
    assert decision.title in author_client.get("/").content.decode()

    saved = post(
        author_client,
        decision,
        "part/problem/",
        {"title": "Renamed at once", "context": "Edited once."},
        htmx=True,
    )
    assert saved.status_code == 200

    assert "Edited once." in live(author_client, decision)
    log = author_client.get("/").content.decode()
    assert "Renamed at once" in log and f">{decision.title}<" not in log


def test_it_renders_only_the_changed_section_again(author_client, workspace, author):
    decision = draft(workspace, author, 4)
    link_for = page_link_for(workspace.slug)

    def keys() -> list[str]:
        decision.refresh_from_db()
        text = madr_body(decision.to_record(), link_for)
        return [_key(s, ()) for s in SECTION.split(text) if s.strip()]

    live(author_client, decision)
    before = keys()
    assert len(before) > 5 and len(cache.get_many(before)) == len(before)

    saved = post(
        author_client, decision, "part/problem/", {"title": decision.title, "context": "New."}
    )
    assert saved.status_code == 302, saved.content.decode()[:500]
    after = keys()

    assert len(set(after) - set(before)) == 1
    assert "New." in live(author_client, decision)
    assert len(cache.get_many(after)) == len(after)
