"""Record -> Markdown, one writer per format.

The decision page, the `.md` download and the PDF all start here, so what a reader sees on screen
is what the board signs and what the team commits. Writers are pure functions of the record:
the same record always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

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


WRITERS: dict[str, Callable[[Record], str]] = {"madr": write_madr}
