import html
import re
from io import BytesIO

import pytest
import yaml
from pypdf import PdfReader

from apps.decisions.models import Decision
from apps.formats.record import Point, Record, ScenarioEntry, SectionEntry
from apps.formats.writers import write_madr


@pytest.fixture
def example(db, example_once):
    """The example, loaded once for the module: each test here leaves it as it found it."""
    return example_once


MADR_ORDER = [
    "Context and Problem Statement",
    "Decision Drivers",
    "Considered Options",
    "Decision Outcome",
    "Pros and Cons of the Options",
    "More Information",
]
NAMES = [
    "REST API",
    "HTTP API",
    "WebSocket API",
    "IAM authentication",
    "Amazon Cognito",
    "API key",
    "Lambda authorizer",
]


def split_front_matter(text: str) -> tuple[dict, str]:
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.S)
    assert match, "no front matter"
    return yaml.safe_load(match[1]), match[2]


def gateway(client) -> Decision:
    client.login(username="demo", password="demo")
    return Decision.objects.get(title="Decide on API Gateway Requirements")


def test_its_markdown_is_madr_4(client, example):
    decision = gateway(client)
    response = client.post(f"/w/platform/{decision.number}.md")
    assert response["Content-Disposition"] == (
        'attachment; filename="0006-decide-on-api-gateway-requirements.md"'
    )
    meta, body = split_front_matter(response.content.decode())
    assert set(meta) >= {"status", "date", "decision-makers", "consulted", "informed"}
    assert meta["decision-makers"] == ["Dana Demo", "Tom Okafor"]
    headings = re.findall(r"^## (.+)$", body, re.M)
    assert [h for h in headings if h in MADR_ORDER] == MADR_ORDER
    assert headings.index("Considerations") < headings.index("More Information")
    for name in NAMES:
        assert name in body
    assert "| API key | ✓ supported | ✗ not supported | ✗ not supported |" in body


def test_its_pdf_holds_the_title_every_scenario_and_every_option(client, example):
    decision = gateway(client)
    response = client.post(f"/w/platform/{decision.number}.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Decide on API Gateway Requirements" in text
    for name in NAMES:
        assert name in text
    assert f"Page 1 of {len(reader.pages)}" in text
    assert reader.pages[0].mediabox.width == 595.28 or round(reader.pages[0].mediabox.width) == 595


def test_it_writes_the_same_bytes_for_the_same_record():
    record = Record(title="Use PostgreSQL", number=3, scenarios=[ScenarioEntry("PostgreSQL")])
    assert write_madr(record) == write_madr(Record.from_dict(record.to_dict()))


def test_it_keeps_free_sections_where_they_were():
    record = Record(
        title="T",
        context="Why.",
        scenarios=[ScenarioEntry("A", points=[Point("good", "simple")])],
        sections=[
            SectionEntry("Assumptions", "We run on AWS.", after="context"),
            SectionEntry("Appendix", "Tables.", after="end"),
        ],
    )
    text = write_madr(record)
    assert text.index("## Context and Problem Statement") < text.index("## Assumptions")
    assert text.index("## Assumptions") < text.index("## Considered Options")
    assert text.rstrip().endswith("Tables.")
    assert "* Good, because simple" in text


def test_it_says_superseded_by_whom_in_the_front_matter(client, example):
    client.login(username="demo", password="demo")
    meta, _ = split_front_matter(client.post("/w/platform/2.md").content.decode())
    assert meta["status"] == "superseded by ADR-0004"


def plain_words(text: str) -> list[str]:
    return [w for w in re.sub(r"[^\w'’]+", " ", text).split() if w.isalpha()]


def test_its_page_pdf_and_markdown_show_the_same_text(client, example):
    """One pipeline: every sentence of the Markdown body reaches the page and the PDF."""
    decision = gateway(client)
    page_html = client.get(decision.get_absolute_url()).content.decode()
    page = " ".join(plain_words(html.unescape(re.sub(r"<[^>]+>", " ", page_html))))
    pdf = PdfReader(BytesIO(client.post(f"/w/platform/{decision.number}.pdf").content))
    pdf_text = " ".join(plain_words(" ".join(p.extract_text() for p in pdf.pages)))
    _, body = split_front_matter(client.post(f"/w/platform/{decision.number}.md").content.decode())
    checked = 0
    for line in body.splitlines():
        words = plain_words(line)
        if len(words) >= 5:
            probe = " ".join(words[:5])
            assert probe in page, probe
            assert probe in pdf_text, probe
            checked += 1
    assert checked > 40


def test_it_explains_a_pdf_that_cannot_be_rendered(author_client, workspace, settings):
    from ..factories import make_decision

    settings.ADROIT_PDF_TIMEOUT = 0.01
    decision = make_decision(workspace, "Huge", context="| a |\n| - |\n" + "| x |\n" * 20000)
    response = author_client.post(f"/w/team/{decision.number}.pdf")
    assert response.status_code == 503
    assert "longer than" in response.content.decode()
    assert author_client.get(decision.get_absolute_url()).status_code == 200
