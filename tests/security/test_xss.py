import re

import pytest

from apps.core.markdown import render_markdown
from apps.decisions.models import Decision
from apps.decisions.rendering import record_html

from ..factories import make_decision
from .xss import (
    PAYLOADS,
    assert_elements_harmless,
    assert_harmless,
    assert_pdf_harmless,
    elements,
    elements_within,
    hostile_decision,
)


def test_its_corpus_holds_at_least_100_payloads():
    assert len(PAYLOADS) >= 100


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_sanitises_each_payload(payload):
    assert_harmless(render_markdown(payload))


def user_regions(page: str) -> str:
    """The header of the page, built from user text, up to our own download buttons (forms
    that POST, tests/exports/test_downloads.py)."""
    start = page.index('<article class="decision">')
    return page[start : page.index('<div class="downloads"', start)]


def test_it_renders_every_field_harmless_on_the_page(author_client, workspace):
    decision = hostile_decision(workspace)
    page = author_client.get(decision.get_absolute_url()).content.decode()
    assert_harmless(user_regions(page))
    # The record body: user text in its parts, our comment forms between them.
    parts = elements_within(page, "record-part")
    assert any(tag == "p" for tag, _ in parts)
    assert_elements_harmless(parts)
    # Outside the user regions, the only scripts are our own static files.
    for src in re.findall(r"<script[^>]*>", page):
        assert re.search(r'src="/static/[^"]+"', src), src
    for tag, attrs in elements(page):
        assert not [name for name, _ in attrs if name.startswith("on")], tag


def test_it_renders_every_field_harmless_in_the_pdf(author_client, workspace):
    decision = hostile_decision(workspace)
    assert_pdf_harmless(author_client.post(f"/w/team/{decision.number}.pdf").content)


def test_it_keeps_the_text_in_the_markdown_export_and_renders_it_harmless(author_client, workspace):
    decision = hostile_decision(workspace)
    text = author_client.post(f"/w/team/{decision.number}.md").content.decode()
    # The export keeps what the author wrote (it is their text) ...
    assert "<script>alert(1)</script>" in text
    # ... and anything that renders it through Adroit gets harmless HTML.
    assert_harmless(render_markdown(text))


def test_it_renders_the_record_body_harmless_for_html_fragments(workspace):
    decision = hostile_decision(workspace)

    record = Decision.objects.with_record().get(pk=decision.pk).to_record()
    assert_harmless(record_html(record))


def test_its_hostile_title_is_escaped_in_the_log(author_client, workspace):
    hostile_decision(workspace)
    make_decision(workspace, "Plain")
    page = author_client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
