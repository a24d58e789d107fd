"""The review date and the confirmation checklist in every export, and back from MADR."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from apps.decisions.building import save_record
from apps.decisions.models import Decision
from apps.formats.confirmation import parse_item, split_confirmation
from apps.formats.readers import read
from apps.formats.record import ConfirmationEntry, Record, ScenarioEntry
from apps.formats.writers import write

from ..factories import make_team, make_workspace
from ..reviews.helpers import accepted

ITEMS = [
    ConfirmationEntry("Gateway logs reach the SIEM", owner="Ada Lovelace", due="2027-03-01"),
    ConfirmationEntry(
        "Load test — at 2,000 rps",
        owner="Rita",
        due="2027-02-01",
        state="confirmed",
        by="Rita",
        at="2027-01-20",
        note="p99 at 80 ms; fine",
    ),
    ConfirmationEntry("No public bucket", state="failed", by="Rob", at="2027-01-21", note="two"),
]


def record(**fields) -> Record:
    fields.setdefault("confirmation", "The platform team checks these.")
    return Record(
        title="Use an API gateway",
        number=7,
        status="accepted",
        date="2026-12-02",
        scenarios=[ScenarioEntry("REST API"), ScenarioEntry("HTTP API")],
        chosen="REST API",
        rationale="it caches",
        **fields,
    )


def test_it_writes_review_by_in_madr_front_matter_and_reads_it_back():
    text = write(record(review_by="2027-12-02"), "madr")

    assert "\nreview-by: '2027-12-02'\n" in text.split("---")[1]
    assert read(text, "0007-use-an-api-gateway.md", "madr").record.review_by == "2027-12-02"


def test_it_writes_the_checklist_and_reads_back_the_same_items():
    original = record(review_by="2027-12-02", confirmation_items=ITEMS)

    text = write(original, "madr")
    again = read(text, "0007-use-an-api-gateway.md", "madr").record

    assert "- [x] Load test — at 2,000 rps — owner: Rita; due: 2027-02-01; confirmed by" in text
    assert again.confirmation == "The platform team checks these."
    assert again.confirmation_items == ITEMS
    assert write(again, "madr") == text


@pytest.mark.django_db
def test_the_checklist_survives_an_import_and_an_export():
    workspace = make_workspace()
    people = make_team(workspace, rita="reviewer")
    text = write(record(review_by="2027-12-02", confirmation_items=ITEMS), "madr")

    decision = save_record(workspace, read(text, "0007-x.md", "madr").record)

    stored = Decision.objects.with_record().get(pk=decision.pk)
    assert stored.review_by.isoformat() == "2027-12-02"
    assert [i.owner for i in stored.confirmation_items.all()] == [None, people["rita"], None]
    assert stored.to_record().confirmation_items == ITEMS
    assert write(stored.to_record(), "madr").split("---", 2)[2] == text.split("---", 2)[2]


def test_nygard_says_the_review_date_beside_the_date():
    text = write(record(review_by="2027-12-02", confirmation_items=ITEMS[:1]), "nygard")

    assert "Date: 2026-12-02\n\nReview by: 2027-12-02\n" in text
    assert "- [ ] Gateway logs reach the SIEM — owner: Ada Lovelace; due: 2027-03-01" in text
    assert read(text, "0007-x.md", "nygard").record.review_by == "2027-12-02"


def test_a_plain_task_list_reads_back_as_written():
    body = "Prose first.\n\n- [ ] Check the logs\n- [x] Ran the load test — nothing more"

    prose, items = split_confirmation(body)

    assert prose == "Prose first."
    assert items == [
        ConfirmationEntry("Check the logs"),
        ConfirmationEntry("Ran the load test — nothing more", state="confirmed"),
    ]
    assert (
        write(record(confirmation=prose, confirmation_items=items), "madr").count(
            "- [x] Ran the load test — nothing more\n"
        )
        == 1
    )


@pytest.mark.parametrize(
    "body",
    [
        "Just prose, no list.",
        "Text\n- [ ] glued to the text, no blank line",
        "- [ ] a list\n  with a continuation line",
        "- [ ] a list\n\nthen prose again",
    ],
)
def test_anything_else_stays_prose(body):
    assert split_confirmation(body) == (body, [])


@pytest.mark.parametrize(
    "line,text",
    [
        ("- [ ] A — due: 2027-13-45", "A — due: 2027-13-45"),  # no such day
        ("- [x] A — failed by Rob on 2027-01-01", "A — failed by Rob on 2027-01-01"),  # box says x
        ("- [ ] A — owner: " + "x" * 5000, None),
    ],
)
def test_a_line_whose_metadata_does_not_hold_keeps_its_words(line, text):
    item = parse_item(line)

    assert item is not None
    if text is not None:
        assert item.text == text and item.due == "" and item.owner == ""
    assert write(record(confirmation_items=[item]), "madr").count(line) == 1


@pytest.mark.django_db
def test_the_pdf_cover_says_the_review_date(client):
    workspace = make_workspace()
    people = make_team(workspace, ada="author", rita="reviewer")
    decision, _ = accepted(workspace, people["ada"], people["rita"])
    client.force_login(people["ada"])

    response = client.post(f"/w/team/{decision.number}.pdf")

    assert response.status_code == 200, response.status_code
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages[:1])
    assert f"Review by {decision.review_by.isoformat()}" in " ".join(text.split())
