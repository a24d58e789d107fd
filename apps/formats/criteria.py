"""Deciding: which scenarios meet the team's answers, and how they rank on weighted criteria.

Pure functions of a `Record`, so the editor, the page, the exports and the tests agree. The
ranking is a suggestion only: choosing the outcome stays the team's act.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .record import AnswerEntry, CriterionEntry, Record, ScoreEntry

WEIGHTS = range(1, 6)
SCORES = range(-2, 3)
# An authentication need scored by the support matrix: supported counts fully, partial half-way,
# not supported against, and not assessed says nothing yet.
LEVEL_SCORES = {"supported": 2, "partial": 1, "not": -2, "unknown": 0}


@dataclass
class Standing:
    scenario: str
    total: int = 0
    # Why the scenario is out: each answer it does not meet, in the team's words.
    unmet: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)  # needs met only in part
    favoured: list[str] = field(default_factory=list)  # answers that speak for it

    @property
    def ruled_out(self) -> bool:
        return bool(self.unmet)


@dataclass
class Ranking:
    standings: list[Standing]  # those that meet every answer, best first, then the ruled out
    suggested: str = ""  # a scenario's title, or "" when nothing can be suggested
    reason: str = ""  # the sentence that says why (or why none)

    @property
    def top(self) -> int:
        return max((abs(s.total) for s in self.standings), default=0)


def option_levels(record: Record, option: str) -> dict[str, str]:
    """The support level of each scenario for the authentication option titled `option`."""
    for consideration in record.considerations:
        for entry in consideration.options:
            if entry.title == option:
                return {s.title: entry.support_for(s.title).level for s in record.scenarios}
    return {}


def scores(record: Record, criterion: CriterionEntry) -> dict[str, int]:
    """The criterion's score per scenario: the matrix's for a need, else the team's own."""
    if criterion.option:
        levels = option_levels(record, criterion.option)
        return {s.title: LEVEL_SCORES.get(levels.get(s.title, ""), 0) for s in record.scenarios}
    return {s.title: clamp(criterion.score_for(s.title), SCORES) for s in record.scenarios}


def clamp(value: int, allowed: range) -> int:
    return min(max(int(value), allowed.start), allowed.stop - 1)


def unmet(record: Record, answer: AnswerEntry) -> tuple[set[str], set[str]]:
    """The scenarios that do not meet the answer, and those that meet a need it names in part."""
    out = set(answer.rules_out)
    partly: set[str] = set()
    for option in answer.needs:
        for scenario, level in option_levels(record, option).items():
            if level == "not":
                out.add(scenario)
            elif level == "partial":
                partly.add(scenario)
    return out, partly - out


def describe(answer: AnswerEntry) -> str:
    return f"{answer.question} {answer.answer}".strip()


def rank(record: Record) -> Ranking:
    """Rule out the scenarios an answer excludes, then rank the rest by the weighted sum."""
    standings = {s.title: Standing(s.title) for s in record.scenarios}
    for answer in record.answers:
        out, partly = unmet(record, answer)
        for title in out & standings.keys():
            standings[title].unmet.append(describe(answer))
        for title in partly & standings.keys():
            standings[title].partial.append(describe(answer))
        for title in (set(answer.favours) - out) & standings.keys():
            standings[title].favoured.append(describe(answer))
    for criterion in record.criteria:
        weight = clamp(criterion.weight, WEIGHTS)
        for title, score in scores(record, criterion).items():
            standings[title].total += weight * score
    order = {s.title: i for i, s in enumerate(record.scenarios)}
    ordered = sorted(standings.values(), key=lambda s: (s.ruled_out, -s.total, order[s.scenario]))
    suggested, reason = _suggest(record, ordered)
    return Ranking(ordered, suggested, reason)


def _suggest(record: Record, ordered: list[Standing]) -> tuple[str, str]:
    if not record.scenarios:
        return "", "There are no scenarios to weigh yet."
    if not record.answers and not record.criteria:
        return "", "Answer the questions or weigh the drivers to get a suggestion."
    eligible = [s for s in ordered if not s.ruled_out]
    if not eligible:
        return "", _none_meets(record)
    best = eligible[0]
    runner = eligible[1] if len(eligible) > 1 else None
    meets = "meets all required answers" if record.answers else "is not ruled out"
    if runner is None:
        return best.scenario, f"Suggested: {best.scenario}, the only scenario that {meets}."
    if runner.total == best.total:
        return "", (
            f"No suggestion: {best.scenario} and {runner.scenario} tie on the weighted score "
            f"({best.total}). Weigh the drivers to tell them apart."
        )
    meets = ", meets all required answers" if record.answers else ""
    return best.scenario, (
        f"Suggested: {best.scenario}{meets}, best weighted score ({best.total} vs {runner.total})."
    )


def _none_meets(record: Record) -> str:
    """No scenario meets every answer: name the answers that no scenario meets, if any."""
    titles = {s.title for s in record.scenarios}
    impossible = [describe(a) for a in record.answers if unmet(record, a)[0] >= titles]
    if impossible:
        listed = "; ".join(f"“{text}”" for text in impossible)
        return f"No suggestion: no scenario meets {listed}."
    return "No suggestion: no scenario meets all the required answers together."


# --- Markdown: the criteria under "Pros and Cons of the Options" ------------------------------

HEADING = "Weighted Criteria"
ANSWER_COLUMNS = ["Question", "Answer", "Needs", "Rules out", "Favours", "Note"]
TOTAL_ROW = "**Weighted score**"
LEVEL_WORDS = {"supported": "supported", "partial": "partial", "not": "not supported"}
LEVEL_WORDS["unknown"] = "not assessed"
_OPTION = " (option: "
_LIST = "; "


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _table(head: list[str], rows: list[list[str]]) -> str:
    lines = [_row(head), "|" + " --- |" * len(head)]
    return "\n".join(lines + [_row(r) for r in rows])


def _signed(score: int) -> str:
    return f"+{score}" if score > 0 else str(score)


def to_markdown(record: Record) -> str:
    """The answers and the criteria as two tables, with the suggestion above them.

    The suggestion and the weighted scores are derived, so a reader skips them; the answers, the
    weights and the scores read back as they were written (`from_markdown`).
    """
    if not record.answers and not record.criteria:
        return ""
    parts = [f"### {HEADING}", rank(record).reason]
    if record.answers:
        rows = [
            [
                a.question,
                a.answer,
                _LIST.join(a.needs),
                _LIST.join(a.rules_out),
                _LIST.join(a.favours),
                a.note,
            ]
            for a in record.answers
        ]
        parts.append(_table(ANSWER_COLUMNS, rows))
    if record.criteria:
        titles = [s.title for s in record.scenarios]
        rows = []
        for criterion in record.criteria:
            name = criterion.title + (f"{_OPTION}{criterion.option})" if criterion.option else "")
            if criterion.option:
                levels = option_levels(record, criterion.option)
                cells = [LEVEL_WORDS.get(levels.get(t, "unknown"), "not assessed") for t in titles]
            else:
                cells = [_signed(criterion.score_for(t)) for t in titles]
            rows.append([name, str(criterion.weight), *cells])
        standings = {s.scenario: s for s in rank(record).standings}
        totals = [
            str(standings[t].total) + (" (ruled out)" if standings[t].ruled_out else "")
            for t in titles
        ]
        rows.append([TOTAL_ROW, "", *totals])
        parts.append(_table(["Criterion", "Weight", *titles], rows))
    return "\n\n".join(p for p in parts if p)


def _split_row(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += char if char == "|" else "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += char
    cells.append(current.strip() + ("\\" if escaped else ""))
    return cells


def _tables(text: str) -> list[list[list[str]]]:
    """Every pipe table in `text`, as rows of cells without the delimiter row."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if line.strip().startswith("|"):
            cells = _split_row(line)
            if current is None:
                current = []
                tables.append(current)
            if not all(set(c) <= set("-: ") and c for c in cells):
                current.append(cells)
        else:
            current = None
    return tables


def _items(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(_LIST.strip()) if part.strip()]


def from_markdown(text: str, scenarios: list[str]) -> tuple[list, list] | None:
    """The answers and criteria of a section `to_markdown` wrote; None when it is not one."""
    answers: list[AnswerEntry] = []
    criteria: list[CriterionEntry] = []
    found = False
    for table in _tables(text):
        if not table:
            continue
        head, rows = table[0], table[1:]
        if head == ANSWER_COLUMNS:
            found = True
            for cells in rows:
                if len(cells) != len(ANSWER_COLUMNS):
                    return None
                question, answer, needs, out, favours, note = cells
                answers.append(
                    AnswerEntry(question, answer, note, _items(needs), _items(out), _items(favours))
                )
        elif head[:2] == ["Criterion", "Weight"] and head[2:] == scenarios:
            found = True
            for cells in rows:
                if len(cells) != len(head):
                    return None
                if cells[0] == TOTAL_ROW:
                    continue
                criterion = _criterion(cells, scenarios)
                if criterion is None:
                    return None
                criteria.append(criterion)
        else:
            return None
    return (answers, criteria) if found else None


def _criterion(cells: list[str], scenarios: list[str]) -> CriterionEntry | None:
    name, weight = cells[0], cells[1]
    if not weight.isdigit() or int(weight) not in WEIGHTS:
        return None
    option = ""
    if name.endswith(")") and _OPTION in name:
        name, _, option = name[:-1].rpartition(_OPTION)
        return CriterionEntry(name, int(weight), [], option)
    entries = []
    for title, cell in zip(scenarios, cells[2:], strict=True):
        try:
            score = int(cell.replace("+", "", 1))
        except ValueError:
            return None
        if score not in SCORES:
            return None
        entries.append(ScoreEntry(title, score))
    return CriterionEntry(name, int(weight), entries)
