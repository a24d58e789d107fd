"""No import publishes past review (issue 13, item 2): a file marked accepted comes in as
"accepted elsewhere", or goes to a review round the importer opens, as the team chooses."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from apps.activity.models import AuditEvent
from apps.decisions.models import Decision, IllegalTransition, Status
from apps.decisions.rendering import export_record, record_pdf
from apps.formats.writers import write
from apps.imports.models import PendingImport
from apps.reviews.models import ReviewRound, authors_of
from apps.versions.models import Version

from .test_import import nygard
from .test_import_views import zip_file


def import_folder(client, accepted: str | None = None) -> None:
    upload = zip_file(
        "adr.zip",
        {
            "adr/0001-use-mysql.md": nygard(1, "Use MySQL", "Superseded"),
            "adr/0002-use-postgresql.md": nygard(2, "Use PostgreSQL", "Accepted"),
            "adr/0003-use-redis.md": nygard(3, "Use Redis", "Proposed"),
        },
    )
    data = {"format": "auto", "files": [upload], **({"accepted": accepted} if accepted else {})}
    client.post("/w/team/import/", data)
    client.post(f"/w/team/import/{PendingImport.objects.get().pk}/confirm/")


def test_an_accepted_file_is_accepted_elsewhere_with_no_version(author_client, author):
    import_folder(author_client)

    statuses = dict(Decision.objects.values_list("title", "status"))
    assert statuses["Use PostgreSQL"] == Status.ELSEWHERE
    assert statuses["Use MySQL"] == Status.SUPERSEDED  # an end state: publishes nothing
    assert not Version.objects.exists()
    assert not ReviewRound.objects.filter(decision__title="Use PostgreSQL").exists()


def test_the_log_does_not_count_it_as_accepted_and_shows_its_badge(author_client):
    import_folder(author_client)

    accepted = author_client.get("/?workspace=team&status=accepted").content.decode()
    elsewhere = author_client.get("/?workspace=team&status=elsewhere").content.decode()

    assert "Use PostgreSQL" not in accepted
    assert '<span class="status status-elsewhere">Accepted elsewhere</span>' in elsewhere


def test_its_page_says_accepted_elsewhere_with_its_file_and_who_imported_it(author_client):
    import_folder(author_client)
    page = author_client.get("/w/team/2/").content.decode()

    assert 'class="status status-elsewhere">Accepted elsewhere</span>' in page
    assert "<strong>Accepted elsewhere</strong>, not reviewed in Adroit" in page
    assert "imported from <code>adr/0002-use-postgresql.md</code> on " in page
    assert " by ada." in page


def test_its_owner_cannot_move_it_to_accepted(author_client, author):
    import_folder(author_client)
    decision = Decision.objects.get(number=2)
    Decision.objects.filter(pk=decision.pk).update(owner=author)

    response = author_client.post("/w/team/2/status/", {"to": "accepted", "seen": "elsewhere"})

    assert 400 <= response.status_code < 500
    decision.refresh_from_db()
    assert decision.status == Status.ELSEWHERE
    with pytest.raises(IllegalTransition):
        decision.move_to(Status.ACCEPTED, by=author)
    # Adopting it here starts again from a draft, which only a review accepts.
    assert decision.can_move_to(Status.DRAFT) and not decision.can_move_to(Status.ACCEPTED)


def test_its_files_still_say_accepted(author_client):
    import_folder(author_client)
    decision = Decision.objects.with_record().get(number=2)

    assert export_record(decision).status == "accepted"
    assert "## Status\n\nAccepted" in write(export_record(decision), "nygard")


def test_its_pdf_and_api_say_accepted_elsewhere(author_client):
    import_folder(author_client)
    decision = Decision.objects.with_record().get(number=2)

    assert decision.to_record().status == "elsewhere"
    pdf = PdfReader(io.BytesIO(record_pdf(decision.to_record())))
    assert "Accepted elsewhere" in "".join(page.extract_text() for page in pdf.pages)


def test_the_team_may_send_accepted_and_proposed_files_to_review_instead(author_client, author):
    import_folder(author_client, accepted="review")

    for title in ("Use PostgreSQL", "Use Redis"):
        decision = Decision.objects.get(title=title)
        assert decision.status == Status.IN_REVIEW
        round = ReviewRound.objects.open().get(decision=decision)
        # The importer opened the round, so counts as its author: their approval cannot count.
        assert round.opened_by == author and author in authors_of(decision, round)
    assert not Version.objects.exists()


def test_the_command_takes_the_same_choice_and_names_the_importer(author, tmp_path):
    (tmp_path / "0001-a.md").write_bytes(nygard(1, "A", "Accepted"))
    args = ["import_adrs", str(tmp_path), "--workspace", "team", "--accepted", "review"]
    call_command(*args, "--by", "ada")

    decision = Decision.objects.get()
    assert decision.status == Status.IN_REVIEW
    assert ReviewRound.objects.open().get(decision=decision).opened_by == author
    assert AuditEvent.objects.get(verb="imported", decision=decision).actor == author


def test_the_command_refuses_an_unknown_importer(db, tmp_path):
    (tmp_path / "0001-a.md").write_bytes(nygard(1, "A", "Accepted"))

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("import_adrs", str(tmp_path), "--workspace", "cli", "--by", "nobody")
