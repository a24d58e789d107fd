"""Images in user Markdown load only from hosts a workspace admin allows, never from this site.

An `<img src="/w/…/1.pdf">` in a decision made every reader's browser render a PDF and write an
"exported" event in the reader's name; an image from any host tells that host who read what.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from apps.core.markdown import render_markdown

from ..factories import make_decision

ALLOWED = ["images.example.com"]


def tags(html: str) -> list[tuple[str, dict]]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


SHOWN_AS_LINKS = {
    "download by Markdown": "![chart](/w/team/1.pdf)",
    "download by HTML": '<img src="/w/team/1.pdf">',
    "action URL": '<img src="/w/team/exports/3/download/" alt="x">',
    "this site's host": "![x](https://adroit.example.com/w/team/1.pdf)",
    "another host": "![beacon](https://tracker.example.net/p.gif)",
    "plain http from an allowed host": "![a](http://images.example.com/a.png)",
    "an allowed host's look-alike": "![a](https://images.example.com.evil.example/a.png)",
    "protocol-relative": '<img src="//images.example.com/a.png">',
}


@pytest.mark.parametrize("text", SHOWN_AS_LINKS.values(), ids=SHOWN_AS_LINKS.keys())
def test_it_shows_an_image_from_anywhere_not_allowed_as_a_link(text, settings):
    settings.ALLOWED_HOSTS = ["adroit.example.com"]
    html = render_markdown(text, [*ALLOWED, "adroit.example.com"])

    assert [tag for tag, _ in tags(html)] == ["p", "a"]
    [(_, link)] = [t for t in tags(html) if t[0] == "a"]
    assert link["rel"] == "noopener noreferrer nofollow"


def test_it_loads_an_image_from_an_allowed_host():
    html = render_markdown("![The chart](https://Images.Example.com/c.png)", ALLOWED)

    [(_, img)] = [t for t in tags(html) if t[0] == "img"]
    assert img == {"src": "https://Images.Example.com/c.png", "alt": "The chart"}


def test_it_shows_no_image_at_all_by_default():
    html = render_markdown("![The chart](https://images.example.com/c.png)")

    assert "<img" not in html
    assert '<a href="https://images.example.com/c.png"' in html and ">The chart</a>" in html


def test_it_escapes_the_alt_text_it_shows_as_the_link():
    html = render_markdown('<img src="https://x.example/a.png" alt="<b>&quot;bold&quot;</b>">')

    assert "<b>" not in html and "&lt;b&gt;" in html


def test_it_shows_the_alt_text_of_an_image_whose_address_was_removed():
    html = render_markdown('<img src="javascript:alert(1)" alt="a chart">')

    assert "<img" not in html and "<a" not in html and "a chart" in html


def test_it_shows_a_download_image_in_a_decision_as_a_link_on_its_page(author_client, workspace):
    workspace.image_hosts = "images.example.com"
    workspace.save()
    decision = make_decision(
        workspace,
        context='<img src="/w/team/1.pdf"> ![ok](https://images.example.com/ok.png)',
    )

    page = author_client.get(f"/w/team/{decision.number}/").content.decode()

    assert 'src="/w/team/1.pdf"' not in page
    assert '<a href="/w/team/1.pdf" rel="noopener noreferrer nofollow">' in page
    images = [attrs for tag, attrs in tags(page) if tag == "img"]
    assert images == [{"alt": "ok", "src": "https://images.example.com/ok.png"}]


def test_it_shows_an_image_inside_a_link_as_its_alt_text_in_that_link():
    html = render_markdown("[![build passing](https://ci.example/badge.svg)](https://ci.example/)")

    assert [tag for tag, _ in tags(html)] == ["p", "a"]
    link = '<a href="https://ci.example/" rel="noopener noreferrer nofollow">build passing</a>'
    assert link in html
