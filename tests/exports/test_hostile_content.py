"""Hostile Markdown in a decision's fields, rendered by the page and the PDF."""

from io import BytesIO

from pypdf import PdfReader

from apps.decisions.models import Consideration, Scenario

from ..core.test_markdown import PAYLOADS
from ..factories import make_decision
from ..security.xss import assert_elements_harmless, elements_within


def hostile_decision(workspace):
    text = "\n\n".join(PAYLOADS.values())
    decision = make_decision(workspace, "Hostile", context=text, overview=text, rationale=text)
    Scenario.objects.create(decision=decision, title="A", description=text, choose_when=text)
    Consideration.objects.create(decision=decision, title="C", body=text)
    return decision


def test_it_renders_hostile_fields_harmless_on_the_page(author_client, workspace):
    decision = hostile_decision(workspace)
    html = author_client.get(decision.get_absolute_url()).content.decode()
    # The record's parts hold the user text; our comment forms sit between them.
    parts = elements_within(html, "record-part")
    assert any(tag == "p" for tag, _ in parts)
    assert_elements_harmless(parts)
    assert "<script>alert" not in html


def pdf_actions(pdf: bytes) -> list[str]:
    reader = PdfReader(BytesIO(pdf))
    found = []
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            action = annot.get_object().get("/A")
            if action:
                action = action.get_object()
                found.append(f"{action.get('/S')} {action.get('/URI', '')}")
    return found


def test_it_renders_hostile_fields_harmless_in_the_pdf(author_client, workspace):
    decision = hostile_decision(workspace)
    pdf = author_client.post(f"/w/team/{decision.number}.pdf").content
    assert b"/JavaScript" not in pdf and b"/JS " not in pdf
    for action in pdf_actions(pdf):
        assert "javascript" not in action.lower()
        assert "data:" not in action.lower()
