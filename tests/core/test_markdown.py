from html.parser import HTMLParser

import pytest

from apps.core.markdown import render_markdown


def elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "inline js link": "[click](javascript:alert(1))",
    "reference js link": "[click][x]\n\n[x]: javascript:alert(1)",
    "spaced js link": "[click]( JaVaScRiPt:alert(1) )",
    "onerror": '<img src="x" onerror="alert(1)">',
    "hx-get": '<div hx-get="/admin/" hx-trigger="load">x</div>',
    "hx-on": '<button hx-on:click="alert(1)">x</button>',
    "data-hx-post": '<form data-hx-post="/logout/"><button>x</button></form>',
    "attribute list": 'A paragraph\n{: onclick="alert(1)" }',
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "svg": "<svg><script>alert(1)</script></svg>",
    "data url": '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "style": '<p style="background:url(javascript:alert(1))">x</p>',
    "link tag": '<link rel="attachment" href="file:///etc/passwd">',
}


def assert_harmless(html: str) -> None:
    """No active element, no event or htmx attribute, no script URL: text may say anything."""
    for tag, attrs in elements(html):
        assert tag not in {"script", "iframe", "svg", "object", "embed", "link", "style", "form"}
        for name, value in attrs:
            assert not name.startswith(("on", "hx-", "data-hx", "style")), (tag, name)
            if name in {"href", "src"}:
                scheme = (value or "").strip().lower().split(":", 1)[0]
                assert scheme in {"http", "https", "mailto"} or ":" not in (value or ""), value


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_it_renders_hostile_markdown_harmless(payload):
    assert_harmless(render_markdown(payload))


def test_it_keeps_ordinary_markdown():
    html = render_markdown(
        "# Title\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n[AWS](https://aws.amazon.com)"
    )
    assert "<h1>Title</h1>" in html
    assert "<td>1</td>" in html
    assert 'href="https://aws.amazon.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_it_turns_github_alerts_and_docusaurus_callouts_into_admonitions():
    html = render_markdown("> [!TIP]\n> Choose this when you can.\n\n:::info\nA note.\n:::\n")
    assert '<div class="admonition tip">' in html
    assert '<div class="admonition info">' in html
    assert "Choose this when you can." in html
    assert "A note." in html


def test_it_leaves_callout_syntax_inside_code_alone():
    html = render_markdown("```\n:::info\nnot a callout\n:::\n```\n")
    assert "admonition" not in html
    assert ":::info" in html


def test_it_allows_only_known_classes():
    html = render_markdown('<div class="admonition tip site-header">x</div>')
    assert "site-header" not in html
