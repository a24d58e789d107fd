"""Rendering is bounded: a hostile text is shown as escaped plain text, quickly, never a 500.

python-markdown is quadratic on unclosed brackets (30,000 `[` took 31 s and killed the worker)
and recurses on deep nesting. The limits are measured in bench/markdown_shapes.py.
"""

from __future__ import annotations

import time

import pytest

from apps.core.markdown import MAX_LENGTH, render_markdown, too_costly
from apps.reviews.forms import COMMENT_MAX
from apps.reviews.models import Thread

from ..reviews.helpers import in_review

HOSTILE = {
    "brackets": "[" * 30_000,
    "images": "![" * 15_000,
    "links without end": "[a](" * 7_500,
    "angle brackets": "<a " * 10_000,
    "headings without blank lines": "## h\n" * 6_000,
    "raw HTML tags": "<b>x</b>\n" * 16_000,
    "raw HTML blocks": "<div>\n" * 25_000,
    "nested lists": "".join("    " * i + "1. x\n" for i in range(300)),
    "nested quotes": ">" * 5_000 + " x",
    "too long": "word " * (MAX_LENGTH // 5 + 1),
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_it_shows_a_hostile_text_as_escaped_plain_text_at_once(text):
    start = time.perf_counter()
    html = render_markdown(text + "<script>alert(1)</script>")
    elapsed = time.perf_counter() - start

    assert elapsed < 1.0
    assert "Shown unformatted" in html
    assert "&lt;script&gt;" in html and "<script>" not in html


def test_it_keeps_the_lines_and_paragraphs_of_a_text_shown_plain():
    html = render_markdown("[" * 3_000 + "\nsecond line\n\nnext paragraph")

    assert "<br>second line</p><p>next paragraph</p>" in html


def test_it_still_formats_a_long_ordinary_decision():
    section = "## Option {i}\n\nWe [compare](https://example.com/{i}) *this* with `that`.\n\n"
    # Denser in headings, links, marks and table rows than any ADR of the corpus (cost 245,000).
    text = "".join(section.format(i=i) for i in range(200))
    table = "| a | b |\n| --- | --- |\n" + "| [x](https://e.com) | `y` |\n" * 100
    code = "```json\n" + '{"a": [[1, 2], [3, 4]]}\n' * 500 + "```\n"

    assert not too_costly(text + table + code)
    html = render_markdown(text + table + code)
    assert "<h2>Option 199</h2>" in html and "<td><code>y</code></td>" in html


def test_it_renders_the_decision_page_and_review_poll_with_a_30000_bracket_comment(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    client.force_login(people["ada"])
    pages = [
        (f"/w/team/{decision.number}/", {}),
        (f"/w/team/{decision.number}/review/", {"HX-Request": "true"}),
    ]
    for url, headers in pages:  # templates compiled, so only the comment is timed below
        client.get(url, headers=headers)
    Thread.start(decision, "context", people["rita"], "[" * 30_000)

    for url, headers in pages:
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - start

        assert response.status_code == 200, url
        assert elapsed < 2.0, (url, elapsed)
        assert "[" * 1000 in response.content.decode(), url


def test_it_refuses_a_comment_longer_than_its_limit_with_a_message(client, people):
    decision = in_review(people["workspace"], people["ada"], [people["rita"]])
    client.force_login(people["rita"])
    address = f"/w/team/{decision.number}/review/threads/"

    response = client.post(address, {"section": "context", "body": "[" * (COMMENT_MAX + 1)})

    assert response.status_code == 422
    assert "Ensure this value has at most 10000 characters" in response.content.decode()
    assert not Thread.objects.exists()
    assert client.post(address, {"section": "context", "body": "Why now?"}).status_code == 302
