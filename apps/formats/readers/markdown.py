"""The Markdown a reader walks: lines, code fences, headings, blocks, lists and text helpers.

Nothing here knows a dialect. Lines inside fenced code are flagged so that nothing in them is
read as structure; a block is a heading with the lines under it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# --------------------------------------------------------------------------------------------
# Lines, code fences and headings

# Every pattern here runs on lines a stranger uploads, so each is linear in the line's length:
# no two quantifiers over the same characters in a row, and no scan from every start position to
# the end of the line (a 150 KB heading once took minutes). Closing `#`s and comments are cut
# with plain string methods instead.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?=[ \t]|$)")


def parse_heading(text: str) -> tuple[int, str] | None:
    """An ATX heading's level and text (without a closing `#` sequence), or None."""
    if "#" not in text[:4]:
        return None  # most lines: decided without the pattern, as every split asks again
    match = _HEADING.match(text)
    if not match:
        return None
    rest = text[match.end() :].strip(" \t")
    closed = rest.rstrip("#")
    if closed != rest and (not closed or closed[-1] in " \t"):
        rest = closed.rstrip(" \t")
    return len(match.group(1)), rest.strip()


def has_comment(text: str) -> bool:
    start = text.find("<!--")
    return start >= 0 and text.find("-->", start + 4) >= 0


def strip_comments(text: str) -> str:
    """The text without `<!-- … -->` comments (an unclosed one stays, as Markdown shows it)."""
    parts, position = [], 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        parts.append(text[position:start])
        position = end + 3
    parts.append(text[position:])
    return "".join(parts)


@dataclass
class Line:
    no: int  # 1-based line number in the file
    text: str
    in_code: bool = False

    def heading(self) -> tuple[int, str] | None:
        return None if self.in_code else parse_heading(self.text)


def mark_code(lines: list[Line]) -> None:
    """Flag lines inside fenced code so that nothing in them is read as structure."""
    fence = ""
    for line in lines:
        match = _FENCE.match(line.text)
        if fence:
            line.in_code = True
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                if not line.text.strip().strip(fence[0]):
                    fence = ""
        elif match:
            fence = match.group(1)
            line.in_code = True


def text_of(lines: Iterable[Line]) -> str:
    """Join lines, dropping blank lines at both ends (including whitespace-only ones)."""
    texts = [line.text for line in lines]
    # Indices, not pop(0): a body of a million blank lines must not take a million list shifts.
    start, end = 0, len(texts)
    while start < end and not texts[start].strip():
        start += 1
    while end > start and not texts[end - 1].strip():
        end -= 1
    return "\n".join(texts[start:end])


@dataclass
class Block:
    heading: str
    level: int
    line: int
    lines: list[Line]

    @property
    def key(self) -> str:
        return heading_key(self.heading)

    @property
    def body(self) -> str:
        return text_of(self.lines)


def heading_key(heading: str) -> str:
    """The heading as a lookup key: no comments, emphasis, trailing colon, or case."""
    key = strip_comments(heading).replace("**", "").replace("__", "")
    return re.sub(r"\s+", " ", key).strip().rstrip(":").strip().lower()


def split_blocks(lines: list[Line], max_level: int) -> tuple[list[Line], list[Block]]:
    """Split at headings of level <= max_level: (lines before the first one, blocks)."""
    intro: list[Line] = []
    blocks: list[Block] = []
    for line in lines:
        found = line.heading()
        if found and found[0] <= max_level:
            blocks.append(Block(found[1], found[0], line.no, []))
        elif blocks:
            blocks[-1].lines.append(line)
        else:
            intro.append(line)
    return intro, blocks


def subsections(block: Block) -> tuple[list[Line], list[Block]]:
    """A block's own text and its direct subsections (deeper headings stay inside them)."""
    levels = [found[0] for line in block.lines if (found := line.heading())]
    deeper = [level for level in levels if level > block.level]
    # Subsections are the shallowest headings below the block's own (an H1 block may use H3).
    return split_blocks(block.lines, min(deeper)) if deeper else (block.lines, [])


def mdx_imports(lines: list[Line]) -> int:
    """How many of the leading lines are MDX `import`/`export` statements (and blank lines
    between them); a statement may run over several lines inside `{ … }`."""
    end = count = 0
    open_brace = False
    for count, line in enumerate(lines, start=1):
        text = line.text.strip()
        if open_brace:
            open_brace = "}" not in text
        elif text.startswith(("import ", "export ")) and not line.in_code:
            open_brace = "{" in text and "}" not in text
        elif text:
            break
        else:
            continue
        end = count
    return end


# --------------------------------------------------------------------------------------------
# Lists

BULLET = re.compile(r"^( {0,3})([*+-]|\d{1,3}[.)])([ \t]+)(.*)$")


def list_items(lines: list[Line]) -> list[tuple[str, str]]:
    """A list of ("item", text) for top-level bullets and ("text", text) for anything else.

    Continuation and nested lines belong to the item above them, dedented to its content.
    """
    return [(kind, text) for kind, text, _ in list_item_spans(lines)]


def list_item_spans(lines: list[Line]) -> list[tuple[str, str, list[Line]]]:
    """`list_items`, each with the source lines it came from (blank lines after it included)."""
    parts: list[tuple[str, list[str], list[Line]]] = []
    indent = 0
    blank = False
    for line in lines:
        match = None if line.in_code else BULLET.match(line.text)
        if not line.text.strip():
            blank = True
            if parts:
                parts[-1][1].append("")
                parts[-1][2].append(line)
            continue
        if match and (not parts or parts[-1][0] != "item" or len(match.group(1)) < indent):
            indent = len(match.group(1)) + 1 + len(match.group(3))
            parts.append(("item", [match.group(4)], [line]))
        elif parts and parts[-1][0] == "item" and _continues(line.text, indent, blank):
            parts[-1][1].append(_dedent(line.text, indent))
            parts[-1][2].append(line)
        elif parts and parts[-1][0] == "text":
            parts[-1][1].append(line.text)
            parts[-1][2].append(line)
        else:
            parts.append(("text", [line.text], [line]))
        blank = False
    return [(kind, "\n".join(texts).strip("\n").rstrip(), span) for kind, texts, span in parts]


def _continues(text: str, indent: int, after_blank: bool) -> bool:
    leading = len(text) - len(text.lstrip(" \t"))
    if text.startswith("\t") or leading >= min(indent, 2):
        return True
    # A lazy continuation line right under the item, without indentation.
    return not after_blank and not BULLET.match(text)


def _dedent(text: str, indent: int) -> str:
    if text.startswith("\t"):
        return text[1:]
    leading = len(text) - len(text.lstrip(" "))
    return text[min(leading, indent) :]


def bullet_items(lines: list[Line]) -> list[str] | None:
    """The items of a body that is only a bullet list, else None."""
    parts = list_items(lines)
    if not parts or any(kind != "item" for kind, _ in parts):
        return None
    return [text for _, text in parts]


# --------------------------------------------------------------------------------------------
# Small text helpers

# Link text and target stop at the next bracket, so that a line of `[a](` is scanned once.
_LINK = re.compile(r"\[([^\[\]]*)\]\(\s*<?([^()<>\[\]\s]*)>?(?:\s+\"[^\"]*\")?\s*\)")
# What writers.escape_inline escapes in titles and names.
_ESCAPE = re.compile(r"\\([<>_*\[\]#|\\`])")


def strip_emphasis(text: str) -> str:
    text = text.strip()
    for mark in ("**", "__"):
        if len(text) > 4 and text.startswith(mark) and text.endswith(mark):
            text = text[2:-2].strip()
    return text


def unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def title_key(text: str) -> str:
    text = _LINK.sub(r"\1", strip_emphasis(unescape(text))).replace("`", "")
    text = text.strip().strip("\"'“”‘’")
    return re.sub(r"\s+", " ", text).strip().rstrip(".").lower()


def same_option(chosen: str, title: str) -> bool:
    """Whether a "Chosen option" names this option: the same text, or its name before a gloss
    (`MADR 4.0.0` for `[MADR](…) 4.0.0 – The Markdown Architectural Decision Records`)."""
    return _same_key(title_key(chosen), title_key(title))


def _same_key(chosen_key: str, option_key: str) -> bool:
    if chosen_key == option_key:
        return True
    rest = option_key.removeprefix(chosen_key)
    glossed = re.match(r"^\s*(?:[-–—:(,]|$)", rest) is not None
    return bool(chosen_key) and rest != option_key and glossed


_WORD = re.compile(r"\w+")


def _words(key: str) -> str:
    """A title key as its words alone: no quotes, punctuation or markup."""
    return " ".join(_WORD.findall(key.replace("_", " ")))


def best_option(chosen: str, titles: list[str]) -> str | None:
    """The option title a "Chosen option" names, by meaning rather than exact quoting: the same
    text, then the option's name before a gloss, then the same words, then the option whose words
    stand inside the chosen text (`Include in section 'More Information'` names `More
    Information`) or hold it, the closest in length winning; None if no option fits.

    Each title is keyed once, so 2,000 options take a moment, not minutes.
    """
    chosen_key = title_key(chosen)
    keys = [title_key(title) for title in titles]
    for same in (lambda key: key == chosen_key, lambda key: _same_key(chosen_key, key)):
        if (
            found := next((t for t, key in zip(titles, keys, strict=True) if same(key)), None)
        ) is not None:
            return found
    words = _words(chosen_key)
    if not words:
        return None
    padded = f" {words} "
    found: list[tuple[float, str, str]] = []
    for title, key in zip(titles, keys, strict=True):
        option = _words(key)
        if not option:
            continue
        if option == words:
            return title
        if f" {option} " not in padded and padded not in f" {option} ":
            continue
        shorter, longer = sorted((len(option), len(words)))
        # A word or two of a long sentence (`a` in `use a queue`) names nothing.
        if shorter >= 3 and shorter / longer >= 0.2:
            found.append((shorter / longer, option, title))
    if not found:
        return None
    _, best, title = max(found, key=lambda item: item[0])
    # Another option inside the chosen text and not part of the best one (`mix of "A" and "B"`):
    # the text names no one option.
    inside = (option for _, option, _ in found if f" {option} " in padded)
    if any(f" {option} " not in f" {best} " for option in inside):
        return None
    return title
