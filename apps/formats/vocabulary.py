"""The words ADR dialects share: statuses, dates, numbers, relations and front matter.

Readers use them to understand a file and writers to write one back, so both say the same thing.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import PurePath

import yaml

from .record import RelationEntry

FRONT_MATTER = "Front matter"


BEFORE_TITLE = "Before title"


DATE_SLUG = re.compile(r"^\d{8}-")


NUMBER_IN_TEXT = re.compile(r"^(?:ADR[- #]*)?0*(\d{1,5})(?:[.:)]\s*|\s*$|\s+[-–—:]\s*)(.*)$", re.I)


NUMBER_IN_NAME = re.compile(r"^(?:adr[-_]?)?0*(\d{1,5})(?=[-_.])", re.I)


def number_from_name(name: str) -> int | None:
    stem = PurePath(name.split("#")[0].split("?")[0]).name
    if DATE_SLUG.match(stem):
        return None
    match = NUMBER_IN_NAME.match(stem)
    return int(match.group(1)) if match else None


def as_text(value: object) -> str:
    if isinstance(value, dict):
        # `status: { accepted }` from an unfilled template: the braces make a mapping of keys.
        return ", ".join(str(k) for k, v in value.items() if not v) or ", ".join(
            f"{k}: {v}" for k, v in value.items()
        )
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value)
    return "" if value is None else str(value).strip()


def as_list(value: object) -> list[str]:
    if isinstance(value, list):
        return [text for item in value if (text := as_text(item))]
    return [part.strip() for part in as_text(value).split(",") if part.strip()]


_STATUS_PATTERNS = (
    (r"\bsuper[sc]eded\b|\breplaced\s+by\b", "superseded"),
    (r"\bdeprec[ia]*ated\b|\bdepreciated\b|\bobsolete\b|\bretired\b", "deprecated"),
    (r"\brejected\b|\bdeclined\b|\bwithdrawn\b|\babandoned\b", "rejected"),
    (
        r"\baccepted\b|\bapproved\b|\bdecided\b|\badopted\b|\bagreed\b|\bimplemented\b"
        r"|\bdone\b",
        "accepted",
    ),
    (
        r"\bproposed\b|\bpending\b|\bin[- ]?review\b|\bin[- ]progress\b|\bunder review\b"
        r"|\bunder discussion\b|\bproposal\b",
        "in_review",
    ),
    (r"\bdraft\b|\bwip\b|\bopen\b|\btodo\b|\btbd\b", "draft"),
)


STATUS_SCAN = 1000


def normalise_status(text: str) -> str | None:
    """The Adroit status a free-form status text names, or None if it names none we know.

    The earliest status word wins, so `accepted; supersedes ADR-0045` is accepted. Only the
    text's start is searched: a status word comes first, and each pattern is one more pass over
    what may be a megabyte of uploaded text.
    """
    lowered = text[:STATUS_SCAN].lower()
    best: tuple[int, str] | None = None
    for pattern, status in _STATUS_PATTERNS:
        match = re.search(pattern, lowered)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), status)
    return best[1] if best else None


def status_from_folder(path: str) -> str | None:
    """The status the folder a file sits in names (`accepted/0003-x.md`, `proposed/…`), if any.

    Only a folder named by status words alone counts, so `decisions/` or `adr/` say nothing.
    """
    parts = PurePath(path).parts
    if len(parts) < 2 or not re.fullmatch(r"[A-Za-z][A-Za-z _-]{0,30}", parts[-2]):
        return None
    name = parts[-2].replace("_", " ")
    # `drafts/`, `proposals/`: the folder holds many.
    return status_word(name) or status_word(name.removesuffix("s"))


def status_word(text: str) -> str | None:
    """The status a text names when it is nothing but status words (`Superseded`, `in review`),
    as a folder name or a `[tag]` is; None for anything more (`Draft-ish notes`)."""
    text = text.strip().lower()
    for pattern, status in _STATUS_PATTERNS:
        if len(text) <= 40 and re.fullmatch(f"(?:{pattern})", text):
            return status
    return None


def canonical_status(raw: str, status: str) -> bool:
    """Whether a writer could write `raw` back from the status alone."""
    cleaned = raw.strip().lower()
    return cleaned in (status.replace("_", " "), status.replace("_", "-"))


_MONTH_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y")


def normalise_date(raw: str) -> str:
    """An ISO date when the text is one unambiguous day, else the text as written."""
    text = raw.strip().strip("*_").strip()
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})\.?", text):
        year, month, day = (int(part) for part in match.groups())
    elif match := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text):
        year, month, day = (int(part) for part in match.groups())
    else:
        for pattern in _MONTH_FORMATS:
            try:
                return datetime.strptime(text, pattern).date().isoformat()
            except ValueError:
                continue
        return text
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return text


_RELATION_WORDS = (
    (r"super[sc]eded\s+by", "superseded_by"),
    (r"supersedes", "supersedes"),
    (r"amended\s+by", "amended_by"),
    (r"amends", "amends"),
    (r"extended\s+by", "relates_to"),
    (r"extends", "relates_to"),
    (r"relate[sd]\s+to", "relates_to"),
    (r"see\s+also", "see_also"),
)


_RELATION_VERB = "|".join(f"(?P<k{i}>{word})" for i, (word, _) in enumerate(_RELATION_WORDS))


RELATION = re.compile(
    # The lookahead names the characters a match can start with, so the engine skips the others
    # fast (it halves the time over a long text).
    r"(?=[*_sSaAeErR])"
    rf"(?:\*\*|__)?\b(?:{_RELATION_VERB})(?:\*\*|__)?\s*(?::\s*)?"
    # The link text stops at any bracket and the title after the target at a parenthesis, so
    # that `Supersedes [` a thousand times over is scanned once, not once per verb.
    # Backslash-escaped characters (`\]` in a title, as the writers escape them) are text.
    r"(?:\[(?P<text>(?:[^\[\]\\]|\\.)*)\]\((?P<target>[^()\s]*)[^()]*\)|(?P<bare>ADR[- #]?\d+))",
    re.I,
)


def _relation_kind(match: re.Match) -> str:
    for index, (_, kind) in enumerate(_RELATION_WORDS):
        if match.group(f"k{index}"):
            return kind
    return "relates_to"


def relations_in(text: str) -> list[RelationEntry]:
    """Relations written as `Verb [text](target)` or `verb ADR-0045`, anywhere in the text."""
    found = []
    for match in RELATION.finditer(text):
        kind = _relation_kind(match)
        if match.group("bare"):
            found.append(_relation(kind, match.group("bare"), match.group("bare")))
        else:
            found.append(_relation(kind, match.group("text"), match.group("target")))
    return found


_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>#|])")


def _relation(kind: str, text: str, target: str) -> RelationEntry:
    number = None
    # Titles come escaped for Markdown (writers.escape_inline): the backslashes are not the title.
    title = _UNESCAPE.sub(r"\1", text.strip())
    if match := NUMBER_IN_TEXT.match(title):
        number = int(match.group(1))
        title = match.group(2).strip()
    if number is None:
        number = number_from_name(target)
    return RelationEntry(kind=kind, number=number, title=title, target=target)


def front_matter_fields(front: dict) -> dict:
    """The Record fields a front matter mapping sets (`status_text` is the status as written)."""
    fields: dict = {}
    if "status" in front:
        fields["status_text"] = as_text(front["status"])
        fields["status"] = normalise_status(fields["status_text"]) or "draft"
    for key in ("date", "created", "last_modified"):
        if key in front and "date" not in fields:
            fields["date"] = normalise_date(as_text(front[key]))
    for key in ("decision-makers", "deciders", "decision_makers"):
        if key in front and "decision_makers" not in fields:
            fields["decision_makers"] = as_list(front[key])
    for key in ("consulted", "informed", "tags"):
        if key in front:
            fields[key] = as_list(front[key])
    # Only a real day: a `review-by` Adroit cannot hold stays in the front matter as written.
    if "review-by" in front and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}", day := normalise_date(as_text(front["review-by"]))
    ):
        fields["review_by"] = day
    return fields


class FrontMatterLoader(yaml.BaseLoader):
    """YAML as front matter needs it: every scalar a string (no octal `0042`, no dates, no
    objects) and no aliases, with which a few hundred bytes stand for megabytes once the front
    matter is written out again or shown."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed", mark)
        return super().compose_node(parent, index)


# Real front matter nests a list in a map at most; PyYAML's scanner takes time growing with the
# square of the depth (2-3 s at 3,000) before it gives up, so deeper input is refused unread.
MAX_FLOW_DEPTH = 100
_FLOW = re.compile(r"[\[\]{}]")


def flow_depth(raw: str) -> int:
    """How deep `[` and `{` nest, counted over the text (quotes not excepted: an upper bound)."""
    depth = deepest = 0
    for char in _FLOW.findall(raw):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


def load_front_matter(raw: str) -> object:
    """The front matter's YAML; raises yaml.YAMLError for broken YAML, aliases and nesting too
    deep to parse (which would otherwise end in a RecursionError)."""
    if ("[" in raw or "{" in raw) and flow_depth(raw) > MAX_FLOW_DEPTH:
        raise yaml.YAMLError("nested too deeply")
    try:
        return yaml.load(raw, Loader=FrontMatterLoader)  # noqa: S506 - it builds no objects
    except RecursionError as exc:
        raise yaml.YAMLError("nested too deeply") from exc


def parse_front_matter(raw: str) -> dict:
    """A raw front matter block as a mapping ({} when it is not one)."""
    try:
        data = load_front_matter(raw)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def madr_front_matter(fields: dict, extra: dict | None = None) -> str:
    """MADR 4's front matter as Adroit writes it, from Record fields (`extra` keys follow)."""
    data = {
        "status": fields.get("status_text") or fields.get("status", "draft"),
        "date": fields.get("date", ""),
        # When the accepted decision is due to be looked at again (apps/upkeep).
        **({"review-by": fields["review_by"]} if fields.get("review_by") else {}),
        "decision-makers": fields.get("decision_makers", []),
        "consulted": fields.get("consulted", []),
        "informed": fields.get("informed", []),
    }
    if fields.get("tags"):
        data["tags"] = fields["tags"]
    data.update(extra or {})
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"---\n{dumped}---"


# What the writers say when a decision has no outcome yet: not part of the record.
NO_OUTCOME = "No option has been chosen yet."


MADR_STATUS = {
    "draft": "draft",
    "in_review": "proposed",
    "accepted": "accepted",
    "rejected": "rejected",
    "deprecated": "deprecated",
    "superseded": "superseded",
    "elsewhere": "accepted elsewhere",
}


RELATION_LABELS = {
    "supersedes": "Supersedes",
    "superseded_by": "Superseded by",
    "amends": "Amends",
    "amended_by": "Amended by",
    "relates_to": "Relates to",
    "see_also": "See also",
}


SUPPORT_CELLS = {
    "supported": "✓ supported",
    "partial": "◐ partial",
    "not": "✗ not supported",
    "unknown": "? not assessed",
}


KIND_WORDS = {"good": "Good", "neutral": "Neutral", "bad": "Bad"}
