"""How long python-markdown takes on hostile shapes just inside, and far past, the render limits.

    .venv/bin/python bench/markdown_shapes.py

For each shape, the largest text that `too_costly` still lets through is rendered (the worst a
page can be made to wait for one text), then the 30,000-character version is rendered through
`render_markdown` (which shows it as plain text). Prints a Markdown table of seconds.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PROSE = "Lorem ipsum *dolor* sit [amet](https://e.com)."
SHAPES = {
    "`[` run": lambda n: "[" * n,
    "`[` every 10 characters": lambda n: "[abcdefghi" * (n // 10),
    "`![` every 10 characters": lambda n: "![abcdefg" * (n // 9),
    "`[a](` run": lambda n: "[a](" * (n // 4),
    "`[a][` run": lambda n: "[a][" * (n // 4),
    "`[[[x]]]` nested": lambda n: "[" * (n // 2) + "x" + "]" * (n // 2),
    "`<a ` run": lambda n: "<a " * (n // 3),
    "`<http://a` run": lambda n: "<http://a" * (n // 9),
    "`>` nesting, one line": lambda n: ">" * n + " x",
    "`>` nesting, many lines": lambda n: "".join(">" * (i % 200) + " x\n" for i in range(n // 100)),
    "nested lists": lambda n: "".join("    " * (i % 40) + "1. x\n" for i in range(n // 80)),
    "headings, no blank lines": lambda n: "## heading\n" * (n // 11),
    "setext headings": lambda n: "a\n===\n" * (n // 6),
    "rules `***`": lambda n: "***\n" * (n // 4),
    "admonitions": lambda n: "!!! note\n" * (n // 9),
    "raw HTML tags": lambda n: "<b>x</b>\n" * (n // 9),
    "raw HTML blocks": lambda n: "<div>\n" * (n // 6),
    "HTML comments": lambda n: "<!-- x -->\n" * (n // 11),
    "matched `[^1]`": lambda n: "[^1] " * (n // 5),
    "one-character lines": lambda n: "x\n" * (n // 2),
    "`*_` run": lambda n: "*_" * (n // 2),
    "backticks": lambda n: "`a" * (n // 2),
    "list items with code": lambda n: "- `a` *b* c\n" * (n // 12),
    "table rows with links": lambda n: "| a | b |\n| - | - |\n" + "| [a](b) | `c` |\n" * (n // 17),
    "prose in one paragraph": lambda n: (PROSE + " ") * (n // 47),
    "prose in paragraphs": lambda n: (PROSE + "\n\n") * (n // 48),
}


def largest_allowed(shape) -> int:
    """The largest n (to 1%) whose text `too_costly` lets through, up to MAX_LENGTH."""
    from apps.core.markdown import MAX_LENGTH, too_costly

    low, high = 1, MAX_LENGTH
    if not too_costly(shape(high)):
        return high
    while high - low > max(10, low // 100):
        mid = (low + high) // 2
        low, high = (mid, high) if not too_costly(shape(mid)) else (low, mid)
    return low


def seconds(render, text: str) -> float:
    start = time.perf_counter()
    render(text)
    return time.perf_counter() - start


def main() -> None:
    import django

    django.setup()
    from apps.core.markdown import _render, render_markdown

    print("| shape | largest text formatted | its time (s) | 30,000 characters (s) |")
    print("| --- | ---: | ---: | ---: |")
    for name, shape in SHAPES.items():
        n = largest_allowed(shape)
        _render.cache_clear()
        inside = seconds(render_markdown, shape(n))
        _render.cache_clear()
        past = seconds(render_markdown, shape(30_000))
        print(f"| {name} | {len(shape(n)):,} | {inside:.3f} | {past:.3f} |", flush=True)


if __name__ == "__main__":
    main()
