"""Answers, weights and scores in the record: the page, the PDF, a version, imports, reviews."""

import pytest
from django.urls import reverse

from apps.decisions.building import save_record
from apps.decisions.models import Decision
from apps.decisions.rendering import record_html, record_pdf
from apps.formats.readers import read
from apps.formats.record import Record
from apps.formats.writers import write_madr
from apps.reviews.models import Thread, section_choices
from apps.reviews.outline import split_sections

from ..exports.pdfs import flat, texts
from ..factories import make_team
from .helpers import gateway_draft, post, scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def weighed(workspace, author, author_client):
    """The kit's draft with the keys answered, made a driver, and latency weighed."""
    draft = gateway_draft(workspace, owner=author)
    post(author_client, draft, "answer/api-keys/", {"answer": "Yes", "note": "Q3 launch"})
    post(author_client, draft, "driver/api-keys/")
    http = scenario(draft, "HTTP API")
    latency = draft.drivers.splitlines()[1]
    data = {"driver": latency, "weight": 2, f"score-{http.pk}": 2}
    assert post(author_client, draft, "criterion/1/", data).status_code == 302
    return Decision.objects.with_record().get(pk=draft.pk)


def test_it_puts_the_criteria_table_on_the_page(author_client, weighed):
    page = author_client.get(weighed.get_absolute_url()).content.decode()
    assert "<h3" in page and "Weighted Criteria" in page
    assert "Suggested: REST API, the only scenario that meets all required answers." in page
    assert "<td>Partners need API keys and per-client quotas. (option: API key)</td>" in page


def test_it_prints_the_criteria_table_in_the_pdf(weighed):
    text = flat(" ".join(texts(record_pdf(weighed.to_record()))))
    assert "Weighted Criteria" in text
    assert "Suggested: REST API" in text
    assert "Q3 launch" in text


def test_it_keeps_them_through_a_version_snapshot(weighed):
    record = weighed.to_record()
    assert Record.from_dict(record.to_dict()) == record
    assert record.criteria[0].weight == 2 and record.criteria[1].option == "API key"


def test_it_imports_what_it_exported(weighed, workspace):
    record = weighed.to_record()
    back = read(write_madr(record), "0009-gateway.md").record
    imported = save_record(workspace, back, number=99)
    again = Decision.objects.with_record().get(pk=imported.pk).to_record()
    assert again.answers == record.answers
    assert again.criteria == record.criteria


def test_it_lets_a_reviewer_comment_on_the_criteria(weighed, workspace):
    rita = make_team(workspace, rita="reviewer")["rita"]
    record = weighed.to_record()
    assert ("criteria", "Weighted criteria") in section_choices(record)
    thread = Thread.start(weighed, "criteria", rita, "Why is latency only 2?")
    assert thread.label == "Weighted criteria"
    keys = [key for key, _ in split_sections(weighed_html(weighed), record)]
    assert "criteria" in keys and keys.index("criteria") > keys.index("scenario:WebSocket API")


def weighed_html(decision) -> str:
    return str(record_html(decision.to_record()))


def test_it_offers_no_criteria_section_without_criteria(workspace):
    record = gateway_draft(workspace).to_record()
    assert "criteria" not in dict(section_choices(record))


def test_its_edit_page_links_the_step(author_client, weighed):
    page = author_client.get(
        reverse("authoring:step", args=[weighed.workspace.slug, weighed.number, "outcome"])
    ).content.decode()
    assert "/edit/decide/" in page and "5. Outcome" in page


def test_the_admin_shows_the_answers_and_criteria(admin_client, weighed):
    page = admin_client.get(f"/admin/decisions/decision/{weighed.pk}/change/").content.decode()
    assert "Do partners need API keys and per-client quotas?" in page
    assert "Partners need API keys and per-client quotas." in page
    criterion = weighed.criteria.get(weight=2)
    page = admin_client.get(f"/admin/decisions/criterion/{criterion.pk}/change/").content.decode()
    assert "Scores" in page
