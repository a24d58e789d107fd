"""What a draft still lacks before it can go to review, read from the plain record."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import slugify

from apps.formats.record import Record

# The guided steps, in order: (slug, label).
STEPS: list[tuple[str, str]] = [
    ("problem", "Problem"),
    ("scenarios", "Scenarios"),
    ("considerations", "Considerations and options"),
    ("decide", "Decide"),
    ("outcome", "Outcome"),
    ("check", "Check and submit"),
]
STEP_SLUGS = [slug for slug, _ in STEPS]


@dataclass(frozen=True)
class Gap:
    label: str
    step: str  # one of STEP_SLUGS: where the gap is filled
    anchor: str  # the id of the field or row on that step
    required: bool = True  # required gaps block the submission for review


def anchor(kind: str, *titles: str) -> str:
    """A stable id for a row, from titles (unique within a decision), so links survive reorders."""
    return "-".join([kind, *(slugify(t) or "untitled" for t in titles)])


def gaps(record: Record) -> list[Gap]:
    found: list[Gap] = []
    if not record.title.strip():
        found.append(Gap("The decision has no title.", "problem", "id_title"))
    if not record.context.strip():
        found.append(Gap("The problem statement is empty.", "problem", "id_context"))
    if not record.drivers:
        found.append(
            Gap("No decision drivers are listed.", "problem", "id_drivers", required=False)
        )
    if not record.scenarios:
        found.append(Gap("No scenarios are weighed yet.", "scenarios", "add-scenario"))
    for scenario in record.scenarios:
        kinds = {p.kind for p in scenario.points}
        where = anchor("scenario", scenario.title)
        if not scenario.description.strip():
            found.append(
                Gap(
                    f"Scenario “{scenario.title}” has no description.",
                    "scenarios",
                    where,
                    required=False,
                )
            )
        if "good" not in kinds:
            found.append(Gap(f"Scenario “{scenario.title}” has no pros.", "scenarios", where))
        if "bad" not in kinds:
            found.append(Gap(f"Scenario “{scenario.title}” has no cons.", "scenarios", where))
    for consideration in record.considerations:
        if consideration.is_open:
            found.append(
                Gap(
                    f"Consideration “{consideration.title}” is still open.",
                    "considerations",
                    anchor("consideration", consideration.title),
                )
            )
        for option in consideration.options:
            for scenario in record.scenarios:
                if option.support_for(scenario.title).level == "unknown":
                    found.append(
                        Gap(
                            f"“{option.title}” is not assessed for “{scenario.title}”.",
                            "considerations",
                            anchor("cell", consideration.title, option.title, scenario.title),
                        )
                    )
    if not record.chosen:
        found.append(Gap("No scenario is chosen as the outcome.", "outcome", "id_chosen"))
    if not record.rationale.strip():
        found.append(
            Gap("The outcome gives no rationale.", "outcome", "id_rationale", required=False)
        )
    if not record.consequences:
        found.append(Gap("No consequences are listed.", "outcome", "consequences", required=False))
    if not record.confirmation.strip():
        found.append(
            Gap(
                "It does not say how compliance is confirmed.",
                "outcome",
                "id_confirmation",
                required=False,
            )
        )
    return found


def required(found: list[Gap]) -> list[Gap]:
    return [gap for gap in found if gap.required]


def steps_with_counts(found: list[Gap]) -> list[dict]:
    """The step bar: each step with how many required gaps it still has."""
    counts = {slug: 0 for slug in STEP_SLUGS}
    for gap in required(found):
        counts[gap.step] += 1
    counts["check"] = sum(counts.values())
    return [
        {"slug": slug, "label": label, "number": i, "missing": counts[slug]}
        for i, (slug, label) in enumerate(STEPS, start=1)
    ]
