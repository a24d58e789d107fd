"""Record -> Markdown, one writer per format.

The decision page, the `.md` download and the PDF all start here, so what a reader sees on screen
is what the board signs and what the team commits. Writers are pure functions of the record:
the same record always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import yaml
from django.utils.text import slugify

from apps.decisions.record import Option, Point, Record, Relation, Section

LinkFor = Callable[[Relation], str]

MADR_STATUS = {
    "draft": "draft",
    "in_review": "proposed",
    "accepted": "accepted",
    "rejected": "rejected",
    "deprecated": "deprecated",
    "superseded": "superseded",
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


def file_link(relation: Relation) -> str:
    return relation.target


def relation_ref(relation: Relation) -> str:
    return f"ADR-{relation.number:04d}" if relation.number is not None else relation.target


def _block(*parts: str) -> str:
    return "\n\n".join(p.strip("\n") for p in parts if p and p.strip())


def _heading(level: int, text: str) -> str:
    return f"{'#' * level} {text}"


def _points(points: list[Point]) -> str:
    return "\n".join(f"* {KIND_WORDS[p.kind]}, because {_one_line(p.text)}" for p in points)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _quote(text: str) -> str:
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines())


def _cell(text: str) -> str:
    return _one_line(text).replace("|", "\\|")


def _free(record: Record, anchor: str) -> list[str]:
    return [_free_section(s) for s in record.sections_after(anchor)]


def _free_section(section: Section) -> str:
    if not section.heading:
        return section.body
    return _block(_heading(section.level, section.heading), section.body)


def support_matrix(record: Record, options: list[Option]) -> str:
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


def _front_matter(record: Record) -> str:
    status = MADR_STATUS.get(record.status, record.status)
    successors = [r for r in record.relations if r.kind == "superseded_by"]
    if record.status == "superseded" and successors:
        status = "superseded by " + ", ".join(relation_ref(r) for r in successors)
    data = {
        "status": status,
        "date": record.date,
        "decision-makers": record.decision_makers,
        "consulted": record.consulted,
        "informed": record.informed,
    }
    if record.tags:
        data["tags"] = record.tags
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"---\n{dumped}---"


def _outcome(record: Record) -> str:
    if record.chosen:
        line = f'Chosen option: "{record.chosen}"'
        line += f", because {record.rationale.strip()}" if record.rationale.strip() else "."
    else:
        line = "No option has been chosen yet."
        if record.rationale.strip():
            line = _block(line, record.rationale)
    parts = [_heading(2, "Decision Outcome"), line]
    if record.consequences:
        parts += [_heading(3, "Consequences"), _points(record.consequences)]
    if record.confirmation.strip():
        parts += [_heading(3, "Confirmation"), record.confirmation]
    return _block(*parts, *_free(record, "outcome"))


def _pros_and_cons(record: Record) -> str:
    parts = [_heading(2, "Pros and Cons of the Options")]
    for scenario in record.scenarios:
        parts.append(_heading(3, scenario.title))
        if scenario.choose_when.strip():
            parts.append(_quote("[!TIP]\n**Choose this when:** " + scenario.choose_when.strip()))
        parts += [scenario.description, _points(scenario.points)]
    return _block(*parts)


def _considerations(record: Record) -> str:
    parts = [_heading(2, "Considerations")]
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


def _more_information(record: Record, link_for: LinkFor) -> str:
    parts = []
    if record.relations:
        parts += [
            _heading(3, "Related Decisions"),
            "\n".join(
                f"* {RELATION_LABELS.get(r.kind, r.kind)} "
                f"[{relation_ref(r)}: {r.title}]({link_for(r)})"
                for r in record.relations
            ),
        ]
    if record.references:
        parts += [
            _heading(3, "References"),
            "\n".join(f"* [{r.title}]({r.url})" for r in record.references),
        ]
    free = _free(record, "more_information")
    if not parts and not free:
        return ""
    return _block(_heading(2, "More Information"), *parts, *free)


def madr_body(record: Record, link_for: LinkFor = file_link) -> str:
    """The record's sections in MADR 4 order, without front matter or title."""
    parts = [*_free(record, "start")]
    if record.context.strip() or record.overview.strip():
        parts += [_heading(2, "Context and Problem Statement"), record.context]
        if record.overview.strip():
            parts += [_heading(3, "Overview"), record.overview]
    parts += _free(record, "context")
    if record.drivers:
        parts += [_heading(2, "Decision Drivers"), "\n".join(f"* {d}" for d in record.drivers)]
    parts += _free(record, "drivers")
    if record.scenarios or record.options_intro.strip():
        parts += [
            _heading(2, "Considered Options"),
            record.options_intro,
            "\n".join(f"* {s.title}" for s in record.scenarios),
        ]
    parts += _free(record, "options")
    parts.append(_outcome(record))
    if record.scenarios:
        parts.append(_pros_and_cons(record))
    parts += _free(record, "pros_cons")
    if record.considerations:
        parts.append(_considerations(record))
    parts += _free(record, "considerations")
    parts.append(_more_information(record, link_for))
    parts += _free(record, "end")
    return _block(*parts)


def write_madr(record: Record, link_for: LinkFor = file_link) -> str:
    """MADR 4: YAML front matter, the title, then MADR's sections in MADR's order."""
    return _block(_front_matter(record), f"# {record.title}", madr_body(record, link_for)) + "\n"


# --- Nygard / adr-tools ------------------------------------------------------------------------

NYGARD_STATUS = {**MADR_STATUS, "in_review": "Proposed", "draft": "Draft"}


def _nygard_status(record: Record, link_for: LinkFor) -> str:
    lines = [NYGARD_STATUS.get(record.status, record.status).capitalize()]
    for relation in record.relations:
        if relation.kind in {"supersedes", "superseded_by", "amends", "amended_by"}:
            label = RELATION_LABELS[relation.kind]
            number = f"{relation.number}. " if relation.number is not None else ""
            lines.append(f"{label} [{number}{relation.title}]({link_for(relation)})")
    return _block(_heading(2, "Status"), "\n\n".join(lines))


def write_nygard(record: Record, link_for: LinkFor = file_link) -> str:
    """Nygard's template as adr-tools writes it: `# N. Title`, `Date:`, Status, Context, Decision,
    Consequences; what Nygard has no section for follows, so nothing is lost."""
    title = (
        f"# {record.number}. {record.title}" if record.number is not None else f"# {record.title}"
    )
    parts = [*_free(record, "start"), title, f"Date: {record.date}" if record.date else ""]
    parts.append(_nygard_status(record, link_for))
    context = [record.context, record.overview]
    if record.drivers:
        context.append("Decision drivers:\n\n" + "\n".join(f"* {d}" for d in record.drivers))
    parts += [
        _heading(2, "Context"),
        *context,
        *_free(record, "context"),
        *_free(record, "drivers"),
    ]
    if record.chosen:
        decision = f'Chosen option: "{record.chosen}"'
        decision += f", because {record.rationale.strip()}" if record.rationale.strip() else "."
    else:
        decision = record.rationale or "No option has been chosen yet."
    parts += [_heading(2, "Decision"), decision]
    if record.consequences or record.confirmation.strip():
        parts += [_heading(2, "Consequences"), _points(record.consequences)]
        if record.confirmation.strip():
            parts += [_heading(3, "Confirmation"), record.confirmation]
    parts += _free(record, "outcome")
    if record.scenarios:
        parts += [_heading(2, "Considered Options"), record.options_intro]
        parts += [_pros_and_cons(record).split("\n", 1)[1]]
    parts += [*_free(record, "options"), *_free(record, "pros_cons")]
    if record.considerations:
        parts.append(_considerations(record))
    parts += _free(record, "considerations")
    others = [r for r in record.relations if r.kind in {"relates_to", "see_also"}]
    if others:
        parts += [
            _heading(2, "Related Decisions"),
            "\n".join(
                f"* {RELATION_LABELS[r.kind]} [{relation_ref(r)}: {r.title}]({link_for(r)})"
                for r in others
            ),
        ]
    if record.references:
        parts += [
            _heading(2, "References"),
            "\n".join(f"* [{r.title}]({r.url})" for r in record.references),
        ]
    parts += [*_free(record, "more_information"), *_free(record, "end")]
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


def write_decide_on(record: Record, link_for: LinkFor = file_link) -> str:
    """The "Decide on …" page style: Docusaurus front matter, scenarios with `:::info` guidance,
    considerations (TODO while open) with what each scenario supports, references."""
    front = {"title": record.title, "description": _describe(record)}
    if record.tags:
        front["tags"] = record.tags
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, default_flow_style=False)
    parts = [f"---\n{dumped}---", *_free(record, "start")]
    if record.context.strip() or record.overview.strip():
        parts += [_heading(2, "Context and Problem Statement"), record.context]
        if record.overview.strip():
            parts += [_heading(3, "Overview"), record.overview]
    parts += _free(record, "context")
    if record.drivers:
        parts += [_heading(2, "Decision Drivers"), "\n".join(f"- {d}" for d in record.drivers)]
    parts += _free(record, "drivers")
    if record.scenarios:
        parts += [_heading(2, "Common Scenarios"), record.options_intro]
        for scenario in record.scenarios:
            parts.append(_heading(3, scenario.title))
            if scenario.choose_when.strip():
                parts.append(f":::info\n{scenario.choose_when.strip()}\n:::")
            parts += [scenario.description, _points(scenario.points)]
    parts += [*_free(record, "options"), *_free(record, "pros_cons")]
    if record.considerations:
        parts.append(_heading(2, "Considerations"))
        see_also = [r for r in record.relations if r.kind == "see_also"]
        for i, consideration in enumerate(record.considerations):
            parts.append(_heading(3, consideration.title))
            parts.append("TODO" if consideration.is_open else consideration.body)
            if consideration.is_open and consideration.body.strip():
                parts.append(consideration.body)
            if i == len(record.considerations) - 1:
                parts += [f"See also: [{r.title}]({link_for(r)})" for r in see_also]
            parts += _support_lists(record, consideration)
    parts += _free(record, "considerations")
    if record.chosen or record.rationale.strip() or record.consequences:
        parts.append(_outcome(record))
    parts += _free(record, "outcome")
    others = [r for r in record.relations if r.kind != "see_also" or not record.considerations]
    if others:
        parts += [
            _heading(2, "Related Decisions"),
            "\n".join(
                f"- {RELATION_LABELS.get(r.kind, r.kind)} [{r.title}]({link_for(r)})"
                for r in others
            ),
        ]
    if record.references:
        parts += [
            _heading(2, "References"),
            "\n".join(f"- [{r.title}]({r.url})" for r in record.references),
        ]
    parts += [*_free(record, "more_information"), *_free(record, "end")]
    return _block(*parts) + "\n"


# --- The registry: every export goes through these -------------------------------------------


@dataclass(frozen=True)
class Format:
    label: str
    write: Callable[..., str]


FORMATS: dict[str, Format] = {
    "madr": Format("MADR 4", write_madr),
    "nygard": Format("Nygard / adr-tools", write_nygard),
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
        link = f"[{_cell(record.title)}]({file_name(record, fmt)})"
        rows.append(f"| {number} | {link} | {record.status_label} | {record.date} |")
    title = "# Architecture Decision Records"
    count = f"{len(records)} decision{'s' if len(records) != 1 else ''}"
    intro = f"{count}, written as {FORMATS[fmt].label}."
    return _block(title, intro, "\n".join(rows)) + "\n"
