from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader


def test_it_writes_one_markdown_file_per_decision(example, tmp_path):
    call_command("export_adrs", "--out", str(tmp_path), "--workspace", "platform")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 6
    assert "0006-decide-on-api-gateway-requirements.md" in names
    assert "0005-decide-on-waf-requirements-strategy.md" in names
    text = (tmp_path / "0006-decide-on-api-gateway-requirements.md").read_text()
    assert text.startswith("---\nstatus: draft\n")
    # Relations point at the other exported files, so links work in the repository.
    assert "(0005-decide-on-waf-requirements-strategy.md)" in text


def test_it_writes_pdfs(example, tmp_path):
    call_command("export_adrs", "--out", str(tmp_path), "--format", "pdf")
    pdf = tmp_path / "0004-use-amazon-cloudfront-and-an-application-load-balancer-at-the-edge.pdf"
    text = PdfReader(BytesIO(pdf.read_bytes())).pages[0].extract_text()
    assert "CloudFront" in text


def test_it_refuses_an_unknown_workspace(db, tmp_path):
    with pytest.raises(CommandError, match="No workspace"):
        call_command("export_adrs", "--out", str(tmp_path), "--workspace", "nope")
