"""The decision record as plain data.

Every output goes through this shape: the models produce it (`Decision.to_record()`), the writers
turn it into Markdown, readers of imported files produce it, and a frozen version stores it as JSON.
Keeping one shape is what makes the page, the exports and the PDF agree.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

POINT_KINDS = ("good", "neutral", "bad")
SUPPORT_LEVELS = ("supported", "partial", "not", "unknown")
CONFIRMATION_STATES = ("pending", "confirmed", "failed")
RELATION_KINDS = ("supersedes", "superseded_by", "amends", "amended_by", "relates_to", "see_also")

# What a source file may leave unsaid (see `Record.unstated`): "status", no status anywhere in the
# file (its folder may still give one); "outcome", no "Chosen option" sentence (a Nygard Decision
# is the outcome as written, and an outcome naming none of the options is kept as written).
UNSTATED = ("status", "outcome")

# Where a free section sits among the sections Adroit models, so exports keep the author's order.
SECTION_ANCHORS = (
    "start",
    "context",
    "drivers",
    "options",
    "outcome",
    "pros_cons",
    "considerations",
    "more_information",
    "end",
)


@dataclass
class Point:
    kind: str  # one of POINT_KINDS
    text: str


@dataclass
class ScenarioEntry:
    title: str
    description: str = ""
    choose_when: str = ""
    points: list[Point] = field(default_factory=list)


@dataclass
class SupportEntry:
    scenario: str  # the scenario's title, unique within a decision
    level: str = "unknown"
    note: str = ""


@dataclass
class AuthOptionEntry:
    title: str
    description: str = ""
    support: list[SupportEntry] = field(default_factory=list)

    def support_for(self, scenario: str) -> SupportEntry:
        for cell in self.support:
            if cell.scenario == scenario:
                return cell
        return SupportEntry(scenario=scenario)


@dataclass
class ConsiderationEntry:
    title: str
    body: str = ""
    is_open: bool = False
    options: list[AuthOptionEntry] = field(default_factory=list)


@dataclass
class AnswerEntry:
    """A team's answer to one of its kit's questions, and what it means for the scenarios."""

    question: str
    answer: str
    note: str = ""
    needs: list[str] = field(default_factory=list)  # authentication options it asks for
    rules_out: list[str] = field(default_factory=list)  # scenarios that do not meet it
    favours: list[str] = field(default_factory=list)  # scenarios it speaks for


@dataclass
class ScoreEntry:
    scenario: str
    score: int = 0  # -2 (strongly against) ... +2 (strongly for)


@dataclass
class CriterionEntry:
    """A decision driver with a weight (1-5) and a score per scenario. A driver that is an
    authentication need names its `option`: its scores are the support matrix's levels."""

    title: str
    weight: int = 3
    scores: list[ScoreEntry] = field(default_factory=list)
    option: str = ""

    def score_for(self, scenario: str) -> int:
        return next((s.score for s in self.scores if s.scenario == scenario), 0)


@dataclass
class ConfirmationEntry:
    """One way compliance with the decision is checked (MADR 4's Confirmation, as a checklist):
    who checks it, by when, and how it went (pending, confirmed or failed; who said so, when)."""

    text: str
    owner: str = ""
    due: str = ""  # ISO date
    state: str = "pending"  # one of CONFIRMATION_STATES
    note: str = ""
    by: str = ""
    at: str = ""  # ISO date the state was set


@dataclass
class RelationEntry:
    kind: str  # one of RELATION_KINDS
    number: int | None = None
    title: str = ""
    # How the source file named the target (a file name, a slug or a URL), kept for round trips.
    target: str = ""


@dataclass
class ReferenceEntry:
    title: str
    url: str


@dataclass
class SectionEntry:
    heading: str
    body: str = ""
    after: str = "end"  # one of SECTION_ANCHORS
    level: int = 2


@dataclass
class Record:
    title: str
    number: int | None = None
    status: str = "draft"
    date: str = ""  # ISO date of the last status change, or as the source wrote it
    workspace: str = ""
    owner: str = ""
    decision_makers: list[str] = field(default_factory=list)
    consulted: list[str] = field(default_factory=list)
    informed: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    context: str = ""
    overview: str = ""
    drivers: list[str] = field(default_factory=list)
    options_intro: str = ""
    scenarios: list[ScenarioEntry] = field(default_factory=list)
    chosen: str = ""  # the chosen scenario's title
    rationale: str = ""
    consequences: list[Point] = field(default_factory=list)
    confirmation: str = ""
    confirmation_items: list[ConfirmationEntry] = field(default_factory=list)
    # When the accepted decision must be looked at again (ISO date; MADR front matter `review-by`).
    review_by: str = ""
    considerations: list[ConsiderationEntry] = field(default_factory=list)
    relations: list[RelationEntry] = field(default_factory=list)
    references: list[ReferenceEntry] = field(default_factory=list)
    sections: list[SectionEntry] = field(default_factory=list)
    # Deciding: answers to the kit's questions, weighted criteria (see apps/formats/criteria.py).
    answers: list[AnswerEntry] = field(default_factory=list)
    criteria: list[CriterionEntry] = field(default_factory=list)
    # For a record read from a file: the status in the file's own words (`Implemented`,
    # `Accepted on 2020-01-01`), and what the file did not say at all, from UNSTATED, so that a
    # writer adds no status line or outcome sentence the source did not have.
    status_text: str = ""
    unstated: list[str] = field(default_factory=list)
    # The chosen option as the source wrote it when it names its option in other words
    # (`Include in section 'More Information'` for the option `More Information`), and the number
    # its title line gives when the file name gives another (`# 3. …` in `0033-….md`).
    chosen_text: str = ""
    title_number: int | None = None
    # Whether the file wrote its title as an H1 (a Docusaurus page may give it in front matter
    # alone), and the headings it gave modelled sections in its own words (`{"context":
    # "Context"}`) where a writer would word them otherwise.
    title_heading: bool = False
    headings: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"ADR-{self.number:04d}" if self.number is not None else "ADR"

    @property
    def status_label(self) -> str:
        if self.status == "elsewhere":
            return "Accepted elsewhere"  # imported as accepted, never reviewed here
        return self.status.replace("_", " ").capitalize()

    def sections_after(self, anchor: str) -> list[SectionEntry]:
        return [s for s in self.sections if s.after == anchor]

    def open_considerations(self) -> list[ConsiderationEntry]:
        return [c for c in self.considerations if c.is_open]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        return _build(cls, data)


_NESTED: dict[tuple[type, str], type] = {
    (Record, "scenarios"): ScenarioEntry,
    (Record, "consequences"): Point,
    (Record, "considerations"): ConsiderationEntry,
    (Record, "relations"): RelationEntry,
    (Record, "references"): ReferenceEntry,
    (Record, "sections"): SectionEntry,
    (Record, "confirmation_items"): ConfirmationEntry,
    (Record, "answers"): AnswerEntry,
    (Record, "criteria"): CriterionEntry,
    (CriterionEntry, "scores"): ScoreEntry,
    (ScenarioEntry, "points"): Point,
    (ConsiderationEntry, "options"): AuthOptionEntry,
    (AuthOptionEntry, "support"): SupportEntry,
}


def _build(kind: type, data: dict[str, Any]) -> Any:
    known = {f.name for f in fields(kind)}
    values = {}
    for name, value in data.items():
        if name not in known:
            continue
        child = _NESTED.get((kind, name))
        values[name] = [_build(child, item) for item in value] if child else value
    return kind(**values)
