""" "Decide on" pages in full: callouts, MDX, plain considerations, H1s, TODOs, and round trips
that change nothing after the first (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.decisions.building import save_record
from apps.decisions.models import Decision
from apps.formats.readers import read
from apps.formats.vocabulary import BEFORE_TITLE
from apps.formats.writers import madr_body, write

from ..factories import make_workspace

SEED = Path(__file__).parent / "data" / "decide-on-api-gateway.md"


def _round_trips(text: str, name: str, rounds: int = 3) -> list[str]:
    outputs = []
    for _ in range(rounds):
        text = write(read(text, name).record, "decide-on")
        outputs.append(text)
    return outputs


def _assert_seed_shape(record) -> None:
    assert [s.title for s in record.scenarios] == ["REST API", "HTTP API", "WebSocket API"]
    assert [c.title for c in record.open_considerations()] == [
        "Monitoring and Tracing",
        "Web Application Firewall (WAF)",
    ]
    assert [o.title for o in record.considerations[0].options] == [
        "IAM Authentication",
        "AWS Cognito",
        "API Key",
        "Lambda Authorizer",
    ]


def test_it_round_trips_the_seed_page_three_times_unchanged_after_the_first():
    first, second, third = _round_trips(SEED.read_text(encoding="utf-8"), SEED.name)

    assert second == first
    assert third == first
    _assert_seed_shape(read(third, SEED.name).record)


@pytest.mark.django_db
def test_it_imports_and_exports_the_seed_page_three_times_through_the_database():
    text = SEED.read_text(encoding="utf-8")
    outputs = []
    for round_ in range(3):
        workspace = make_workspace(f"round-{round_}")
        saved = save_record(workspace, read(text, SEED.name).record)
        record = Decision.objects.with_record().get(pk=saved.pk).to_record()
        _assert_seed_shape(record)
        text = write(record, "decide-on")
        outputs.append(text)

    assert outputs[1] == outputs[0]
    assert outputs[2] == outputs[0]
    headings = [line for line in outputs[2].splitlines() if line.startswith("#")]
    assert len(headings) == len(set(headings))


PAGE = """\
---
title: Decide on Logging
sidebar_position: 3
---
import Tabs from '@theme/Tabs';
import TabItem from '@theme/TabItem';

# Decide on Logging

How we log.

## Context

We need logs.

:::caution Costs
Logs cost money.
:::

## Common Scenarios

### Small team

:::info
Choose CloudWatch for a small team.
:::

Small teams log little.

### Big team

:::warning
Watch the bill.
:::

<Tabs>
<TabItem value="a">A</TabItem>
</Tabs>

## Considerations

Plain text, no considerations of its own.

## Decision Outcome

Chosen option: "Small team", because it is simple.

## Consequences

Things happen.

## Related Decisions

- [Decide on Metrics](decide-on-metrics)

### References

- [AWS](https://aws.amazon.com)
"""


def test_it_doubles_no_section_however_many_times_a_page_goes_round():
    outputs = _round_trips(PAGE, "decide-on-logging.mdx", rounds=4)

    assert outputs[1:] == [outputs[0]] * 3
    for heading in ("## Consequences", "## Related Decisions", "### References", "## Context"):
        assert outputs[-1].count(f"\n{heading}\n") == 1, heading


def test_it_keeps_the_pages_h1_context_heading_and_plain_considerations():
    exported = write(read(PAGE, "decide-on-logging.mdx").record, "decide-on")

    assert "\n# Decide on Logging\n\nHow we log.\n" in exported
    assert "\n## Context\n\nWe need logs.\n" in exported
    assert "Context and Problem Statement" not in exported
    assert "\n## Considerations\n\nPlain text, no considerations of its own.\n" in exported


def test_it_writes_no_h1_for_a_page_that_had_none():
    exported = write(read(SEED.read_text(encoding="utf-8"), SEED.name).record, "decide-on")

    assert "\n# " not in exported


def test_it_keeps_mdx_imports_for_export_but_not_as_text_on_the_page():
    page = PAGE.replace("\n# Decide on Logging\n", "\n")
    record = read(page, "decide-on-logging.mdx").record

    imports = "import Tabs from '@theme/Tabs';\nimport TabItem from '@theme/TabItem';"
    assert [s.body for s in record.sections if s.heading == BEFORE_TITLE] == [imports]
    assert "import Tabs" not in madr_body(record)
    assert imports in write(record, "decide-on")


@pytest.mark.parametrize("kind", ["info", "tip", "note", "caution", "warning", "danger"])
@pytest.mark.parametrize("title", ["", " Read this"])
def test_it_keeps_every_callout_kind_with_or_without_a_title(kind, title):
    guidance = ":::info\nChoose it for small teams.\n:::"
    callout = f":::{kind}{title}\nMind the {kind}.\n:::"
    # The other callout first: it must not be taken for the guidance (but a second untitled
    # `:::info` after the first).
    first, second = (guidance, callout) if (kind, title) == ("info", "") else (callout, guidance)
    page = (
        "---\ntitle: Decide on Queues\n---\n\n## Common Scenarios\n\n### Small\n\n"
        f"{first}\n\nSmall ones.\n\n{second}\n"
    )

    record = read(page, "decide-on-queues.md").record
    exported = write(record, "decide-on")

    (scenario,) = record.scenarios
    assert scenario.choose_when == "Choose it for small teams."
    assert callout in scenario.description
    assert guidance in exported and callout in exported
    assert write(read(exported, "decide-on-queues.md").record, "decide-on") == exported


@pytest.mark.parametrize(
    ("body", "kept"),
    [
        ("TODO", ""),
        ("**TODO**", ""),
        ("TODO:", ""),
        ("_TBD_", ""),
        ("TODO: ask the network team", "TODO: ask the network team"),
        ("**TODO**: ask the network team", "**TODO**: ask the network team"),
    ],
)
def test_it_marks_todo_considerations_open(body, kept):
    page = (
        "---\ntitle: Decide on Queues\n---\n\n## Considerations\n\n### Monitoring\n\n"
        f"{body}\n\n### Costs\n\nSettled.\n"
    )

    record = read(page, "decide-on-queues.md").record

    monitoring, costs = record.considerations
    assert (monitoring.is_open, monitoring.body, costs.is_open) == (True, kept, False)
    again = read(write(record, "decide-on"), "decide-on-queues.md").record
    assert [c.is_open for c in again.considerations] == [True, False]


def test_it_keeps_the_front_matter_title_of_a_page_whose_h1_differs():
    page = "---\ntitle: Logging\nsidebar_position: 3\n---\n\n# Decide on Logging\n\nHow we log.\n"

    exported = write(read(page, "decide-on-logging.md").record, "decide-on")

    assert exported == page


def test_it_adds_no_description_to_a_pages_own_front_matter():
    page = "---\ntitle: Decide on Logging\nsidebar_position: 3\n---\n\n## Context\n\nWe log.\n"
    record = read(page, "decide-on-logging.md").record
    record.tags = ["logging"]

    exported = write(record, "decide-on")

    assert exported.startswith(
        "---\ntitle: Decide on Logging\nsidebar_position: 3\ntags:\n- logging\n---\n"
    )
    assert read(exported, "decide-on-logging.md").record.tags == ["logging"]


def test_it_sets_only_the_changed_keys_of_a_pages_front_matter():
    page = (
        "---\ntitle: Decide on Logging\ntags:\n  - logs\n  - ops\nsidebar_position: 3\n"
        "# kept comment\nslug: /logging\n---\n\n## Context\n\nWe log.\n"
    )
    record = read(page, "decide-on-logging.md").record
    record.title, record.tags = "Decide on Logs", []

    exported = write(record, "decide-on")

    assert exported.startswith(
        "---\ntitle: Decide on Logs\nsidebar_position: 3\n# kept comment\nslug: /logging\n---\n"
    )


def test_the_example_decisions_page_keeps_its_people_status_and_matrix_notes(example):
    decision = Decision.objects.with_record().get(title="Decide on API Gateway Requirements")
    record = decision.to_record()

    exported = write(record, "decide-on")
    again = read(exported, "decide-on-api-gateway-requirements.md").record

    assert again.decision_makers == record.decision_makers == ["Dana Demo", "Tom Okafor"]
    assert again.status == record.status == "draft"
    assert "| Option | REST API | HTTP API | WebSocket API |" in exported
    assert "◐ partial: through a JWT authorizer" in exported
    for before, after in zip(record.considerations, again.considerations, strict=True):
        assert [(o.title, o.support) for o in after.options] == [
            (o.title, [c for c in o.support if c.level != "unknown" or c.note])
            for o in before.options
        ]
    assert write(again, "decide-on") == exported


@pytest.mark.parametrize("marker", ["**TODO**", "TODO:", "_TODO_"])
def test_it_reads_the_seed_page_with_its_todos_in_bold_or_with_a_colon(marker):
    text = SEED.read_text(encoding="utf-8").replace("\nTODO\n", f"\n{marker}\n")
    assert text.count(marker) == 2

    record = read(text, SEED.name).record

    _assert_seed_shape(record)
    first, second = _round_trips(text, SEED.name, rounds=2)
    assert second == first
    _assert_seed_shape(read(second, SEED.name).record)


def test_it_writes_other_decisions_titles_as_text_in_its_links():
    attack = "Y](https://evil/phish) **NOTICE: revoked** [see"
    page = (
        "---\ntitle: Decide on Queues\n---\n\n## Considerations\n\n### Costs\n\nSettled.\n\n"
        "See also: [Decide on Metrics](decide-on-metrics)\n\n## Related Decisions\n\n"
        "- Supersedes [Decide on Topics](decide-on-topics)\n"
    )
    record = read(page, "decide-on-queues.md").record
    for relation in record.relations:
        relation.title = attack

    exported = write(record, "decide-on")

    assert "Y](https://evil" not in exported and "**NOTICE" not in exported
    assert exported.count("[Y\\](https://evil/phish) \\*\\*NOTICE: revoked\\*\\* \\[see]") == 2
    again = read(exported, "decide-on-queues.md").record
    assert [(r.kind, r.title) for r in again.relations] == [
        ("see_also", attack),
        ("supersedes", attack),
    ]
