"""Record -> Markdown, one writer per format.

The decision page, the `.md` download and the PDF all start here, so what a reader sees on screen
is what the board signs and what the team commits. Writers are pure functions of the record:
the same record always gives the same bytes.

Writers write everything the record holds. Free sections go where the reader found them (their
anchor); untitled ones at an anchor that is a section of its own are that section's opening text.
Level-0 sections are source text the reader kept verbatim (see apps/formats/readers/): the
front matter, text before the title, and metadata lines such as `* Status: Accepted.`. A writer
puts them back in their place instead of its own rendering while they still say what the record
says (re-read, they give the record's status, date and people); once the record has changed,
the writer's own rendering wins and the stale text is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import yaml
from django.utils.text import slugify

from . import criteria
from .confirmation import join_confirmation
from .readers import read
from .readers.decide_on import opens_with_todo
from .record import AuthOptionEntry, Point, Record, RelationEntry, SectionEntry
from .vocabulary import (
    BEFORE_TITLE,
    FRONT_MATTER,
    KIND_WORDS,
    MADR_STATUS,
    NO_OUTCOME,
    RELATION_LABELS,
    SUPPORT_CELLS,
    front_matter_fields,
    madr_front_matter,
    normalise_status,
    parse_front_matter,
    relations_in,
)

LinkFor = Callable[[RelationEntry], str]


def file_link(relation: RelationEntry) -> str:
    return relation.target


def relation_ref(relation: RelationEntry) -> str:
    return f"ADR-{relation.number:04d}" if relation.number is not None else relation.target


def _block(*parts: str) -> str:
    return "\n\n".join(p.strip("\n") for p in parts if p and p.strip())


def _heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def _item(marker: str, text: str) -> str:
    """One list item; its further lines and paragraphs indented so that they stay in it."""
    first, *rest = text.strip("\n").split("\n")
    pad = " " * (len(marker) + 1)
    return "\n".join([f"{marker} {first}", *(pad + line if line.strip() else "" for line in rest)])


def _list(marker: str, texts: list[str]) -> str:
    return "\n".join(_item(marker, text) for text in texts)


def _points(points: list[Point]) -> str:
    return _list("*", [f"{KIND_WORDS[p.kind]}, because {p.text}" for p in points])


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def escape_inline(text: str) -> str:
    """One-line text (a title, a name, a tag) as Markdown that shows it as written.

    Titles and names go into link text, headings, list items and table cells of this and other
    decisions' files and pages; unescaped, `Y](https://evil) **NOTICE** [see` in one title would
    close the link it sits in and add a link and bold text of its own (issue 13). Only characters
    that can start markup there are escaped, so ordinary titles are written as they are; the
    readers take the backslashes off again (`readers/markdown.py:unescape`).
    """
    text = " ".join(text.splitlines())
    text = _MARKUP.sub(r"\\\g<0>", text)
    # `_` inside a word is no emphasis (`snake_case`); at a word's edge it may be.
    text = _EDGE_UNDERSCORE.sub(r"\\_", text)
    # At the start of a list item or heading text, `#` and `>` open a heading or a quote; a
    # closing run of `#` after a space would be taken off a heading.
    text = re.sub(r"^([#>])", r"\\\1", text)
    return re.sub(r"(?<=\s)#(?=#*$)", r"\\#", text)


_MARKUP = re.compile(r"[\\`*\[\]<]")
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def _url(url: str) -> str:
    """A link target that cannot end the link early or start another: spaces, parentheses and
    angle brackets percent-encoded."""
    return url.translate(_URL_UNSAFE)


_URL_UNSAFE = str.maketrans({c: f"%{ord(c):02X}" for c in " ()<>\n\r\t"})


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


# Anchors that are a section of their own: untitled text there opens that section.
INTRO_ANCHORS = {"start", "pros_cons", "considerations", "more_information"}
OWN_FRONT_KEYS = {
    "status",
    "date",
    "review-by",
    "decision-makers",
    "consulted",
    "informed",
    "tags",
}
HEADER_FIELDS = (
    "status",
    "date",
    "review_by",
    "decision_makers",
    "consulted",
    "informed",
    "tags",
)


def _free(record: Record, anchor: str) -> list[str]:
    return [
        _free_section(s)
        for s in record.sections_after(anchor)
        if s.level > 0 or (not s.heading and anchor not in INTRO_ANCHORS)
    ]


def _intro(record: Record, anchor: str) -> list[str]:
    return [s.body for s in record.sections_after(anchor) if s.level == 0 and not s.heading]


def _slot(record: Record, heading: str) -> str:
    return next((s.body for s in record.sections if s.level == 0 and s.heading == heading), "")


def _metadata_slots(record: Record) -> list[str]:
    """Metadata lines kept verbatim (`* Status: Accepted.`, `Introduced: 20220513`)."""
    return [
        s.body
        for s in record.sections
        if s.level == 0 and s.heading and s.heading not in (FRONT_MATTER, BEFORE_TITLE)
    ]


def _header_agrees(header: str, record: Record, fmt: str) -> bool:
    """Whether the verbatim header, read again, gives the record's status, date and people."""
    again = read(header + "\n", "header.md", fmt).record
    return all(getattr(again, name) == getattr(record, name) for name in HEADER_FIELDS)


def _status_section(record: Record) -> SectionEntry | None:
    """A `## Status` kept verbatim (status with notes or links), if it still says the status."""
    for section in record.sections:
        if section.level > 0 and section.heading.strip().lower() == "status":
            first = next((ln for ln in section.body.splitlines() if ln.strip("-* \t")), "")
            if (normalise_status(first) or "draft") == record.status and all(
                r in record.relations for r in relations_in(section.body)
            ):
                return section
            return None
    return None


def _covered(record: Record, *texts: str) -> list[RelationEntry]:
    """The record's relations that are not already written in the verbatim texts."""
    said = [r for text in texts for r in relations_in(text)]
    return [r for r in record.relations if r not in said]


def _free_section(section: SectionEntry) -> str:
    if not section.heading:
        return section.body
    return _block(_heading(section.level, section.heading), section.body)


def support_matrix(record: Record, options: list[AuthOptionEntry]) -> str:
    """The scenario x option matrix as a Markdown table."""
    titles = [s.title for s in record.scenarios]
    rows = ["| Option | " + " | ".join(_cell(t) for t in titles) + " |"]
    rows.append("| --- |" + " --- |" * len(titles))
    for option in options:
        cells = []
        for title in titles:
            cell = option.support_for(title)
            text = SUPPORT_CELLS.get(cell.level, cell.level)
            cells.append(_cell(f"{text}: {cell.note}" if cell.note else text))
        rows.append(f"| {_cell(option.title)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _madr_fields(record: Record) -> dict:
    status = MADR_STATUS.get(record.status, record.status)
    successors = [r for r in record.relations if r.kind == "superseded_by"]
    if record.status == "superseded" and successors:
        status = "superseded by " + ", ".join(relation_ref(r) for r in successors)
    return {
        "status_text": status,
        "date": record.date,
        "review_by": record.review_by,
        "decision_makers": record.decision_makers,
        "consulted": record.consulted,
        "informed": record.informed,
        "tags": record.tags,
    }


def _front_matter(record: Record) -> str:
    return madr_front_matter(_madr_fields(record))


META_LABELS = {
    "status": "Status",
    "date": "Date",
    "decision_makers": "Deciders",
    "consulted": "Consulted",
    "informed": "Informed",
    "tags": "Tags",
}


def _meta_bullets(record: Record, skip: set[str]) -> str:
    """MADR 2's metadata bullets for the fields that are set (but those in `skip`)."""
    lines = []
    for name, label in META_LABELS.items():
        if name in skip:
            continue
        value = getattr(record, name)
        if name == "status":
            value = MADR_STATUS.get(value, value) if value != "draft" else ""
        text = ", ".join(map(escape_inline, value)) if isinstance(value, list) else value
        if text:
            lines.append(f"* {label}: {text}")
    return "\n".join(lines)


def _madr_header(record: Record) -> list[str]:
    """Front matter, title and metadata lines: the source's own while they agree."""
    title = f"# {escape_inline(record.title)}"
    raw, metadata = _slot(record, FRONT_MATTER), _metadata_slots(record)
    if raw or metadata:
        front = f"---\n{raw}\n---" if raw else _front_matter(record)
        header = [front, _slot(record, BEFORE_TITLE), title, *metadata]
        if not _header_agrees(_block(*header), record, "madr"):
            # What the source said in plain `* Deciders: …` lines, said again the same way; a
            # field the front matter itself gives is not said twice (it would contradict it).
            given = set(front_matter_fields(parse_front_matter(raw)))
            bullets = _meta_bullets(record, skip=given)
            header = [front, _slot(record, BEFORE_TITLE), title, bullets, *metadata]
        if _header_agrees(_block(*header), record, "madr"):
            return header
    # The source repository's own keys (`parent`, `nav_order`, …) stay; ours are the record's.
    extra = {k: v for k, v in parse_front_matter(raw).items() if k not in OWN_FRONT_KEYS}
    return [madr_front_matter(_madr_fields(record), extra), _slot(record, BEFORE_TITLE), title]


def _chosen(title: str) -> str:
    """`Chosen option: "X"`, quoted so that the reader finds where X ends."""
    for open_, close in (('"', '"'), ("'", "'"), ("“", "”"), ("`", "`")):
        if open_ not in title and close not in title and "\n" not in title:
            return f"Chosen option: {open_}{title}{close}"
    return f"Chosen option: **{title}**"


def _because(rationale: str) -> str:
    rationale = rationale.strip("\n").rstrip()
    if not rationale.strip():
        return "."
    # A rationale that opens with a list, a table or code starts on its own line.
    if re.match(r"\s|[*+>|#-]|\d+[.)]\s|```|~~~", rationale):
        return f", because\n\n{rationale}"
    return f", because {rationale}"


def _outcome(record: Record) -> str:
    if record.chosen:
        line = _chosen(record.chosen_text or record.chosen) + _because(record.rationale)
    else:
        # Outcome text without a chosen option (a Nygard "Decision") is the outcome as written:
        # no "no option chosen" sentence above it.
        line = record.rationale if record.rationale.strip() else NO_OUTCOME
    parts = [_heading(2, "Decision Outcome"), line]
    if record.consequences:
        parts += [_heading(3, "Consequences"), _points(record.consequences)]
    if record.confirmation.strip() or record.confirmation_items:
        confirmation = join_confirmation(record.confirmation, record.confirmation_items)
        parts += [_heading(3, "Confirmation"), confirmation]
    return _block(*parts, *_free(record, "outcome"))


def _pros_and_cons(record: Record) -> str:
    parts = [_heading(2, "Pros and Cons of the Options"), *_intro(record, "pros_cons")]
    for scenario in record.scenarios:
        parts.append(_heading(3, scenario.title))
        if scenario.choose_when.strip():
            parts.append(_quote("[!TIP]\n**Choose this when:** " + scenario.choose_when.strip()))
        parts += [scenario.description, _points(scenario.points)]
    # The answers, weights and scores (empty unless the team weighed the scenarios).
    parts.append(criteria.to_markdown(record))
    return _block(*parts)


def _considerations(record: Record) -> str:
    parts = [_heading(2, "Considerations"), *_intro(record, "considerations")]
    for consideration in record.considerations:
        parts.append(_heading(3, consideration.title))
        if consideration.is_open:
            parts.append(_quote("[!WARNING]\n**Open:** this consideration is not settled yet."))
        parts.append(consideration.body)
        if consideration.options:
            parts.append(_heading(4, f"Options for {consideration.title}"))
            parts.append(support_matrix(record, consideration.options))
            described = [o for o in consideration.options if o.description.strip()]
            parts.append(
                "\n".join(f"* **{o.title}**: {_one_line(o.description)}" for o in described)
            )
    return _block(*parts)


def _more_text(record: Record) -> list[str]:
    """More Information's own text, under its heading, for writers that have no such section."""
    intro = _intro(record, "more_information")
    return [_heading(2, "More Information"), *intro] if intro else []


def _relation_line(relation: RelationEntry, link_for: LinkFor) -> str:
    label = RELATION_LABELS.get(relation.kind, relation.kind)
    return f"* {label} {_relation_link(relation, link_for)}"


def _relation_link(relation: RelationEntry, link_for: LinkFor, separator: str = ": ") -> str:
    """`[ADR-0002: Title](target)`: the other decision's title escaped, so that it stays text;
    adr-tools's `[2. Title](target)` with `separator=". "`."""
    if relation.number is None:
        text = relation.title or relation.target
    elif separator == ": ":
        text = relation_ref(relation) + (f": {relation.title}" if relation.title else "")
    else:
        text = f"{relation.number}{separator}{relation.title}".strip()
    return f"[{escape_inline(text)}]({_url(link_for(relation))})"


def _links(
    record: Record, relations: list[RelationEntry], link_for: LinkFor, level: int
) -> list[str]:
    """The related decisions and the references, as lists under headings of `level`."""
    parts = []
    if relations:
        lines = "\n".join(_relation_line(r, link_for) for r in relations)
        parts += [_heading(level, "Related Decisions"), lines]
    if record.references:
        references = "\n".join(
            f"* [{escape_inline(r.title)}]({_url(r.url)})" for r in record.references
        )
        parts += [_heading(level, "References"), references]
    return parts


def _more_information(record: Record, link_for: LinkFor, relations: list[RelationEntry]) -> str:
    # The section's own text and free subsections first: a list below them stays a list.
    parts = [*_intro(record, "more_information"), *_free(record, "more_information")]
    parts += _links(record, relations, link_for, 3)
    if not parts:
        return ""
    return _block(_heading(2, "More Information"), *parts)


def _context(record: Record) -> list[str]:
    """The problem statement with its overview, as MADR and the "Decide on" pages both write it."""
    parts = []
    if record.context.strip() or record.overview.strip():
        parts += [_heading(2, "Context and Problem Statement"), record.context]
        if record.overview.strip():
            parts += [_heading(3, "Overview"), record.overview]
    return parts + _free(record, "context")


def madr_body(
    record: Record, link_for: LinkFor = file_link, relations: list[RelationEntry] | None = None
) -> str:
    """The record's sections in MADR 4 order, without front matter, title or metadata lines;
    `relations` are those to list under More Information (all of them unless given)."""
    relations = record.relations if relations is None else relations
    parts = [*_intro(record, "start"), *_free(record, "start")]
    parts += _context(record)
    if record.drivers:
        parts += [_heading(2, "Decision Drivers"), _list("*", record.drivers)]
    parts += _free(record, "drivers")
    if record.scenarios or record.options_intro.strip():
        parts += [
            _heading(2, "Considered Options"),
            record.options_intro,
            "\n".join(f"* {s.title}" for s in record.scenarios),
        ]
    parts += _free(record, "options")
    parts.append(_outcome(record))
    if record.scenarios or _intro(record, "pros_cons") or record.answers:
        parts.append(_pros_and_cons(record))
    parts += _free(record, "pros_cons")
    if record.considerations:
        parts.append(_considerations(record))
    parts += _free(record, "considerations")
    parts.append(_more_information(record, link_for, relations))
    parts += _free(record, "end")
    return _block(*parts)


def write_madr(record: Record, link_for: LinkFor = file_link) -> str:
    """MADR 4: YAML front matter, the title, then MADR's sections in MADR's order."""
    header = _madr_header(record)
    relations = _covered(record, *header)
    return _block(*header, madr_body(record, link_for, relations)) + "\n"


# --- Nygard / adr-tools ------------------------------------------------------------------------

NYGARD_STATUS = {
    **MADR_STATUS,
    "in_review": "Proposed",
    "draft": "Draft",
    "elsewhere": "Accepted elsewhere",
}


def _nygard_links(relations: list[RelationEntry], link_for: LinkFor) -> list[str]:
    """Every relation as `adr link` writes one under `## Status`: a paragraph of its own,
    `Amends [2. Title](0002-title.md)`. adr-tools reads links there and nowhere else."""
    return [
        # `2. Title`, as adr-tools writes it: `adr generate graph` takes the number before the dot.
        f"{RELATION_LABELS.get(r.kind, r.kind)} {_relation_link(r, link_for, '. ')}"
        for r in relations
    ]


def _nygard_status(record: Record, link_for: LinkFor, relations: list[RelationEntry]) -> str:
    status = NYGARD_STATUS.get(record.status, record.status).capitalize()
    return _block(_heading(2, "Status"), status, *_nygard_links(relations, link_for))


def _nygard_people(record: Record) -> list[str]:
    """`Deciders: A, B` and the like, one paragraph each beside `Date:`, where adr-tools looks
    for nothing and the readers find them again: the people and tags stay in the file."""
    return [
        f"{META_LABELS[name]}: {', '.join(map(escape_inline, getattr(record, name)))}"
        for name in ("decision_makers", "consulted", "informed", "tags")
        if getattr(record, name)
    ]


def write_nygard(record: Record, link_for: LinkFor = file_link) -> str:
    """Nygard's template as adr-tools writes it: `# N. Title`, `Date:`, Status, Context, Decision,
    Consequences; what Nygard has no section for follows, so nothing is lost."""
    title = escape_inline(record.title)
    # The title's own number where it differs from the file's (`# 3. …` in `0033-….md`).
    number = record.number if record.title_number is None else record.title_number
    title = f"# {number}. {title}" if number is not None else f"# {title}"
    # The source's front matter (Brighter keeps one beside the Nygard body) goes back as it was.
    raw = _slot(record, FRONT_MATTER)
    header = [f"---\n{raw}\n---" if raw else "", _slot(record, BEFORE_TITLE), title]
    # No date is made up: a record without one gets no `Date:` line.
    date = f"Date: {record.date}" if record.date else ""
    # The review date beside `Date:`, where the readers find it again (`Review by:`).
    people = [f"Review by: {record.review_by}"] if record.review_by else []
    people += _nygard_people(record)
    status = _status_section(record)
    metadata = _metadata_slots(record)
    if metadata or status:
        # The `Date:` and people lines are written only where the reader found nothing to keep.
        verbatim = _free_section(status) if status else _nygard_status(record, link_for, [])
        metadata = next(
            (
                lines
                for lines in (metadata, [date, *metadata], [date, *people, *metadata])
                if _header_agrees(_block(*header, *lines, verbatim), record, "nygard")
            ),
            None,
        )
    if metadata is None or not (metadata or status):
        metadata, status = [date, *people], None
    said = [*header, *metadata, _free_section(status) if status else ""]
    relations = _covered(record, *said)
    if status is None:
        # A stale `## Status` (the record has moved on) gives way to the record's own.
        stale = [s for s in record.sections if s.level > 0 and s.heading.lower() == "status"][:1]
        record = replace(record, sections=[s for s in record.sections if s not in stale])
        status_lines = _nygard_status(record, link_for, relations)
    else:
        # The source's own Status section stays; links it lacks are added below it, still
        # under `## Status`, so that adr-tools sees them.
        status_lines = ""
        if added := _nygard_links(relations, link_for):
            grown = replace(status, body=_block(status.body, *added))
            record = replace(
                record, sections=[grown if s is status else s for s in record.sections]
            )
    relations = []
    parts = [*header, *metadata, *_intro(record, "start"), status_lines, *_free(record, "start")]
    context = [record.context, record.overview]
    if record.drivers:
        context.append("Decision drivers:\n\n" + _list("*", record.drivers))
    parts += [
        _heading(2, "Context"),
        *context,
        *_free(record, "context"),
        *_free(record, "drivers"),
    ]
    if record.chosen:
        decision = _chosen(record.chosen_text or record.chosen) + _because(record.rationale)
    else:
        decision = record.rationale or NO_OUTCOME
    parts += [_heading(2, "Decision"), decision]
    if record.consequences or record.confirmation.strip() or record.confirmation_items:
        parts += [_heading(2, "Consequences"), _points(record.consequences)]
        if record.confirmation.strip() or record.confirmation_items:
            confirmation = join_confirmation(record.confirmation, record.confirmation_items)
            parts += [_heading(3, "Confirmation"), confirmation]
    parts += _free(record, "outcome")
    if record.scenarios:
        parts += [_heading(2, "Considered Options"), record.options_intro]
        parts += [_pros_and_cons(record).split("\n", 1)[1]]
    parts += [*_free(record, "options"), *_free(record, "pros_cons")]
    if record.considerations:
        parts.append(_considerations(record))
    parts += _free(record, "considerations")
    parts += _links(record, relations, link_for, 2)
    parts += [*_more_text(record), *_free(record, "more_information"), *_free(record, "end")]
    return _block(*parts) + "\n"


# --- log4brains ----------------------------------------------------------------------------------

# log4brains 1.1 knows these six words and no others (another shows as "draft"); a file with no
# `- Status:` at all shows as "accepted", so a draft must say so.
LOG4BRAINS_STATUS = {**MADR_STATUS, "elsewhere": "accepted"}


def _slug_of(relation: RelationEntry, link_for: LinkFor) -> str:
    """The other decision's log4brains slug: its file name without `.md`."""
    name = link_for(relation).rsplit("/", 1)[-1]
    if not name.endswith(".md"):
        name = file_name(Record(title=relation.title, number=relation.number))
    return name.removesuffix(".md")


def _log4brains_status(record: Record, link_for: LinkFor) -> tuple[str, list[RelationEntry]]:
    """The status as log4brains reads it, and the relation it names (a successor)."""
    successors = [r for r in record.relations if r.kind == "superseded_by"]
    if record.status == "superseded" and successors:
        # log4brains finds the successor by the link's text, which must be its slug.
        first = successors[0]
        slug = escape_inline(_slug_of(first, link_for))
        return f"superseded by [{slug}]({_url(link_for(first))})", [first]
    return LOG4BRAINS_STATUS.get(record.status, "draft"), []


def write_log4brains(record: Record, link_for: LinkFor = file_link) -> str:
    """MADR 2 as log4brains 1.1 reads it: the title, then a `- Status:` / `- Deciders:` /
    `- Date:` / `- Tags:` list (log4brains reads the first list before the first section, not
    front matter), MADR's sections, and `## Links` to the other decisions."""
    status, said = _log4brains_status(record, link_for)
    header = [f"- Status: {status}"]
    for name in ("decision_makers", "consulted", "informed", "date", "tags"):
        value = getattr(record, name)
        if value:
            text = value if isinstance(value, str) else ", ".join(map(escape_inline, value))
            header.append(f"- {META_LABELS[name]}: {text}")
    links = [
        f"- {RELATION_LABELS.get(r.kind, r.kind)} {_relation_link(r, link_for)}"
        for r in record.relations
        if r not in said
    ]
    parts = [
        f"# {escape_inline(record.title)}",
        "\n".join(header),
        # Text the source had above its title goes below the list: above, log4brains would
        # not find the title and the list.
        _slot(record, BEFORE_TITLE),
        madr_body(record, link_for, relations=[]),
    ]
    if links:
        parts += [_heading(2, "Links"), "\n".join(links)]
    return _block(*parts) + "\n"


# --- "Decide on" pages ----------------------------------------------------------------------------


def _describe(record: Record) -> str:
    first = next((p for p in (record.overview, record.context) if p.strip()), "")
    sentence = _one_line(first).split(". ")[0].rstrip(".")
    return sentence[:160] if sentence else record.title


def _support_lists(record: Record, consideration) -> list[str]:
    """Per scenario, the options it supports, as the seed page lists them."""
    parts = []
    for scenario in record.scenarios:
        supported = [
            o.title
            for o in consideration.options
            if o.support_for(scenario.title).level == "supported"
        ]
        if supported:
            parts += [
                _heading(4, scenario.title),
                f"{scenario.title} supports the following {consideration.title} types:",
                "\n".join(f"- {title}" for title in supported),
            ]
    return parts


def _lists_say_less(consideration) -> bool:
    """Whether "supports the following" lists would lose something of the options' support:
    a note, a level other than supported, or an option no scenario supports."""
    return any(
        cell.note or cell.level not in ("supported", "unknown")
        for option in consideration.options
        for cell in option.support
    ) or any(
        all(cell.level != "supported" for cell in option.support)
        for option in consideration.options
    )


def _decide_on_context(record: Record) -> list[str]:
    """The problem statement under the page's own heading (`## Context` stays `## Context`)."""
    heading = record.headings.get("context") or "Context and Problem Statement"
    parts = []
    if record.context.strip() or record.overview.strip():
        parts += [_heading(2, heading), record.context]
        if record.overview.strip():
            parts += [_heading(3, "Overview"), record.overview]
    return parts + _free(record, "context")


def _decide_on_front_matter(record: Record) -> str:
    """Docusaurus front matter: the page's own, with only the keys whose value the record changed
    set again (the rest as written: `sidebar_position: 3` stays unquoted). Status, date and people
    go there too (Docusaurus ignores them; our reader reads them back), but no status for a page
    that gave none. A page with an H1 carries its title there, so its front matter's title may
    differ. A new page gets a description; a team's own front matter gets none it did not have."""
    raw = _slot(record, FRONT_MATTER)
    front = parse_front_matter(raw)
    if raw and front:
        changes: dict = {}
        if front.get("title") != record.title and not (record.title_heading and "title" in front):
            changes["title"] = record.title
        if _as_tags(front) != record.tags:
            changes["tags"] = record.tags or None
        changes.update(_decide_on_metadata(record, front))
        return f"---\n{_front_matter_with(raw, changes)}\n---"
    data = {"title": record.title, "description": _describe(record)}
    if record.tags:
        data["tags"] = record.tags
    data.update({k: v for k, v in _decide_on_metadata(record, {}).items() if v is not None})
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"---\n{dumped}---"


DECIDE_ON_STATUS = {**MADR_STATUS, "elsewhere": "accepted"}
_PEOPLE_KEYS = {
    "decision_makers": ("decision-makers", "deciders", "decision_makers"),
    "consulted": ("consulted",),
    "informed": ("informed",),
}


def _decide_on_metadata(record: Record, front: dict) -> dict:
    """The status, date and people entries the front matter needs to say what the record says
    (None: an entry to take out), under the key names the page already uses."""
    said = front_matter_fields(front)
    changes: dict = {}
    status = DECIDE_ON_STATUS.get(record.status, record.status)
    # A page that states no status reads as a draft: it needs one only once it is more.
    stated = "status" in front or ("status" not in record.unstated and record.status != "draft")
    if stated and (normalise_status(said.get("status_text", "")) or "") != (
        normalise_status(status) or status
    ):
        changes["status"] = status
    # A date where the page has one, or on a new page; never one a team's page did not give.
    if record.date != said.get("date", "") and ("date" in front or not front):
        changes["date"] = record.date or None
    for name, keys in _PEOPLE_KEYS.items():
        people = getattr(record, name)
        if people != said.get(name, []):
            key = next((k for k in keys if k in front), keys[0])
            changes[key] = people or None
    return changes


_FRONT_KEY = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")


def _front_matter_with(raw: str, changes: dict) -> str:
    """The raw front matter with each changed key's entry replaced where it stands (None: taken
    out) and new keys last; every other line as written."""

    def entry(key: str) -> list[str]:
        if changes[key] is None:
            return []
        dumped = yaml.safe_dump(
            {key: changes[key]}, sort_keys=False, allow_unicode=True, default_flow_style=False
        )
        return dumped.rstrip("\n").split("\n")

    lines: list[str] = []
    placed: set[str] = set()
    replacing = False
    for line in raw.split("\n"):
        if top := _FRONT_KEY.match(line):
            replacing = top.group(1) in changes and top.group(1) not in placed
            if replacing:
                lines += entry(top.group(1))
                placed.add(top.group(1))
                continue
        elif replacing and line[:1] in (" ", "\t", "-"):
            continue  # the replaced value's further lines (`  - api-gateway`)
        else:
            replacing = False
        lines.append(line)
    new = [line for key in changes if key not in placed for line in entry(key)]
    return "\n".join([*lines, *new])


def _as_tags(front: dict) -> list[str]:
    return front_matter_fields({"tags": front["tags"]})["tags"] if "tags" in front else []


def write_decide_on(record: Record, link_for: LinkFor = file_link) -> str:
    """The "Decide on …" page style: Docusaurus front matter, scenarios with `:::info` guidance,
    considerations (TODO while open) with what each scenario supports, references."""
    parts = [_decide_on_front_matter(record), _slot(record, BEFORE_TITLE)]
    if record.title_heading:
        parts.append(_heading(1, escape_inline(record.title)))
    parts += [*_intro(record, "start"), *_free(record, "start"), *_decide_on_context(record)]
    if record.drivers:
        parts += [_heading(2, "Decision Drivers"), _list("-", record.drivers)]
    parts += _free(record, "drivers")
    if record.scenarios:
        parts += [_heading(2, "Common Scenarios"), record.options_intro]
        for scenario in record.scenarios:
            parts.append(_heading(3, scenario.title))
            if scenario.choose_when.strip():
                parts.append(f":::info\n{scenario.choose_when.strip()}\n:::")
            parts += [scenario.description, _points(scenario.points)]
        parts.append(criteria.to_markdown(record))
    parts += [*_free(record, "options"), *_intro(record, "pros_cons"), *_free(record, "pros_cons")]
    if record.considerations:
        parts += [_heading(2, "Considerations"), *_intro(record, "considerations")]
        see_also = [r for r in record.relations if r.kind == "see_also"]
        for i, consideration in enumerate(record.considerations):
            parts.append(_heading(3, consideration.title))
            # An open consideration says TODO first, unless its text already opens with it.
            if consideration.is_open and not opens_with_todo(consideration.body):
                parts.append("TODO")
            parts.append(consideration.body)
            if i == len(record.considerations) - 1:
                parts += [
                    f"See also: [{escape_inline(r.title)}]({_url(link_for(r))})" for r in see_also
                ]
            if _lists_say_less(consideration):
                # Notes, partial or no support: the matrix says it, before the lists.
                parts.append(support_matrix(record, consideration.options))
            parts += _support_lists(record, consideration)
    elif intro := _intro(record, "considerations"):
        parts += [_heading(2, "Considerations"), *intro]
    parts += _free(record, "considerations")
    if record.chosen or record.rationale.strip() or record.consequences:
        parts.append(_outcome(record))  # with the free sections that follow the outcome
    else:
        parts += _free(record, "outcome")
    others = [r for r in record.relations if r.kind != "see_also" or not record.considerations]
    if others:
        parts += [
            _heading(2, "Related Decisions"),
            "\n".join(
                # Another decision's title stays text in this page (issue 13, item 4).
                f"- {RELATION_LABELS.get(r.kind, r.kind)} [{escape_inline(r.title)}]"
                f"({_url(link_for(r))})"
                for r in others
            ),
        ]
    if record.references:
        parts += [
            _heading(2, "References"),
            "\n".join(f"- [{r.title}]({r.url})" for r in record.references),
        ]
    parts += [*_more_text(record), *_free(record, "more_information"), *_free(record, "end")]
    return _block(*parts) + "\n"


# --- The registry: every export goes through these -------------------------------------------


@dataclass(frozen=True)
class Format:
    label: str
    write: Callable[..., str]


FORMATS: dict[str, Format] = {
    "madr": Format("MADR 4", write_madr),
    "nygard": Format("Nygard / adr-tools", write_nygard),
    "log4brains": Format("log4brains (MADR 2)", write_log4brains),
    "decide-on": Format("“Decide on” page (Docusaurus)", write_decide_on),
}
WRITERS: dict[str, Callable[[Record], str]] = {name: f.write for name, f in FORMATS.items()}


def slug_of(title: str) -> str:
    # "Requirements/Strategy" reads as two words, as Docusaurus and adr-tools slug it.
    return slugify(title.replace("/", " "))[:80] or "decision"


def file_name(record: Record, fmt: str = "madr") -> str:
    """`NNNN-title-slug.md`: adr-tools's names, which MADR and log4brains use too."""
    stem = slug_of(record.title)
    return f"{record.number:04d}-{stem}.md" if record.number is not None else f"{stem}.md"


def write(record: Record, fmt: str = "madr", link_for: LinkFor = file_link) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: one of {', '.join(FORMATS)}.")
    return FORMATS[fmt].write(record, link_for)


def write_index(records: list[Record], fmt: str = "madr") -> str:
    """The folder's README: the log as a table, each title linking to its file."""
    rows = ["| Number | Title | Status | Date |", "| ---: | --- | --- | --- |"]
    for record in sorted(records, key=lambda r: (r.number is None, r.number or 0, r.title)):
        number = f"{record.number:04d}" if record.number is not None else ""
        link = f"[{_cell(escape_inline(record.title))}]({file_name(record, fmt)})"
        rows.append(f"| {number} | {link} | {record.status_label} | {record.date} |")
    title = "# Architecture Decision Records"
    count = f"{len(records)} decision{'s' if len(records) != 1 else ''}"
    intro = f"{count}, written as {FORMATS[fmt].label}."
    return _block(title, intro, "\n".join(rows)) + "\n"
