"""One decision's PDF and one version's PDF, as their download buttons give them, read with pypdf:
the watermark of a status, the cover, open considerations, PDF/A and the frozen Markdown."""

from __future__ import annotations

import re

from apps.decisions.building import save_record
from apps.decisions.models import Decision
from apps.decisions.rendering import record_pdf
from apps.exports.packs import decision_pdf, printed_decision
from apps.formats.record import ConsiderationEntry, Record
from apps.versions.rendering import version_pdf

from ..factories import add_member, make_decision, make_matrix, make_user
from ..reviews.helpers import accepted, in_review
from .pdfs import (
    attachment_hashes,
    content_lines,
    flat,
    pdfa_identification,
    texts,
    unembedded_fonts,
)

LONG = "The gateway must authenticate every caller and keep a record of who called. " * 60


def download(client, url: str) -> bytes:
    response = client.post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def a_draft(workspace) -> Decision:
    record = Record(
        title="Choose an API gateway",
        status="draft",
        owner="Ada",
        decision_makers=["Ada Author"],
        consulted=["Security team", "Rita Reviewer"],
        informed=["Product engineering"],
        context=LONG,
        considerations=[
            ConsiderationEntry(title="Monitoring", body="Which metrics?", is_open=True),
            ConsiderationEntry(title="Logging", body="Central archive."),
            ConsiderationEntry(title="Rate limits", body="Per client?", is_open=True),
        ],
    )
    return save_record(workspace, record)


def test_it_marks_every_page_of_a_draft_and_no_page_of_an_accepted_version(
    author_client, workspace
):
    draft = a_draft(workspace)
    pages = texts(download(author_client, f"/w/team/{draft.number}.pdf"))

    assert len(pages) >= 2
    for text in pages:
        assert "DRAFT" in text.splitlines()  # the diagonal word, behind each page
    assert "DRAFT: draft, not approved" in pages[0]

    ada, rita = make_user("ada2"), make_user("rita", first_name="Rita")
    add_member(workspace, ada, "author")
    add_member(workspace, rita, "reviewer")
    signed, version = accepted(workspace, ada, rita, title="Choose an API style")
    for pdf in (
        download(author_client, f"/w/team/{signed.number}.pdf"),
        download(author_client, f"/w/team/{signed.number}/versions/1.pdf"),
    ):
        for text in texts(pdf):
            assert not {"DRAFT", "IN REVIEW", "SUPERSEDED"} & set(text.splitlines())
            assert "not approved" not in text


def test_it_marks_a_decision_in_review_on_each_page(workspace):
    ada, rita = make_user("ada"), make_user("rita")
    add_member(workspace, ada, "author")
    add_member(workspace, rita, "reviewer")
    decision = in_review(workspace, ada, [rita])
    Decision.objects.filter(pk=decision.pk).update(context=LONG)

    pages = texts(decision_pdf(Decision.objects.with_record().get(pk=decision.pk)))

    assert len(pages) >= 2 and all("IN REVIEW" in t.splitlines() for t in pages)


def test_it_names_the_workspace_consulted_and_informed_on_the_cover(author_client, workspace):
    draft = a_draft(workspace)

    cover = flat(texts(download(author_client, f"/w/team/{draft.number}.pdf"))[0])

    assert f"Workspace {workspace.name}" in cover and workspace.name != workspace.slug
    assert "Consulted Security team, Rita Reviewer" in cover
    assert "Informed Product engineering" in cover
    assert "Decision makers Ada Author" in cover


def test_it_lists_open_considerations_before_the_body(author_client, workspace):
    draft = a_draft(workspace)

    lines = content_lines(texts(download(author_client, f"/w/team/{draft.number}.pdf"))[0])

    summary = lines.index("2 open considerations:")
    assert lines[summary + 1 : summary + 3] == ["Monitoring", "Rate limits"]
    assert summary < lines.index("Context and Problem Statement")


def test_it_makes_a_version_pdf_a_with_its_markdown_attached(client, workspace):
    ada, rita = make_user("ada"), make_user("rita", first_name="Rita", last_name="Reviewer")
    add_member(workspace, ada, "author")
    add_member(workspace, rita, "reviewer")
    decision, version = accepted(workspace, ada, rita)
    client.force_login(ada)

    pdf = download(client, f"/w/team/{decision.number}/versions/1.pdf")

    assert pdfa_identification(pdf) == ("3", "U")
    assert unembedded_fonts(pdf) == []
    assert attachment_hashes(pdf) == {"ADR-0001-v1.md": version.sha256}
    cover = flat(texts(pdf)[0])
    assert version.sha256 in cover and "Approvals Approved by" in cover
    assert "Rita Reviewer" in cover


def test_it_gives_an_accepted_decision_as_its_frozen_version(author_client, workspace):
    ada, rita = make_user("ada2"), make_user("rita")
    add_member(workspace, ada, "author")
    add_member(workspace, rita, "reviewer")
    decision, version = accepted(workspace, ada, rita)

    pdf = download(author_client, f"/w/team/{decision.number}.pdf")

    assert attachment_hashes(pdf) == {"ADR-0001-v1.md": version.sha256}
    assert f"SHA-256 {version.sha256}" in flat(texts(pdf)[0])


def test_it_shows_a_superseded_version_as_superseded(workspace):
    ada, rita = make_user("ada"), make_user("rita")
    add_member(workspace, ada, "author")
    add_member(workspace, rita, "reviewer")
    decision, version = accepted(workspace, ada, rita)
    decision.move_to("superseded", by=ada)

    doc = printed_decision(Decision.objects.with_record().get(pk=decision.pk), workspace.name)
    pages = texts(version_pdf(version, [version], workspace.name, "superseded"))

    assert doc.version == version and doc.watermark == "SUPERSEDED"
    assert all("SUPERSEDED" in t.splitlines() for t in pages)
    assert "Status Superseded" in flat(pages[0])


def test_it_attaches_nothing_to_a_text_that_is_not_frozen():
    """A draft has no hash to match: its PDF is PDF/A, with no file inside."""
    pdf = record_pdf(Record(title="Pick a broker", number=1, context="Kafka or RabbitMQ."))

    assert pdfa_identification(pdf) == ("3", "U") and attachment_hashes(pdf) == {}


def test_it_repeats_the_matrix_header_on_each_page_and_never_splits_a_row(workspace):
    decision = make_decision(workspace, "Choose sign-in", context="Who may call us.")
    make_matrix(decision, scenarios=3, options=70)

    pages = texts(decision_pdf(Decision.objects.with_record().get(pk=decision.pk)))

    with_rows = [t for t in pages if re.search(r"^Option \d+ ", t, re.MULTILINE)]
    assert len(with_rows) >= 2  # the matrix runs over pages
    for text in with_rows:
        assert "Option Scenario 0 Scenario 1 Scenario 2" in text  # its header row, again
    rows = [line for t in pages for line in t.splitlines() if re.match(r"Option \d+ ", line)]
    assert len(rows) == 70  # each row whole on one page, none cut in two
