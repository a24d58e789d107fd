from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from apps.formats.readers import read


@pytest.fixture
def example(db, example_once):
    """The example, loaded once for the module: each test here leaves it as it found it."""
    return example_once


def test_it_writes_one_markdown_file_per_decision(example, tmp_path):
    call_command("export_adrs", "--out", str(tmp_path), "--workspace", "platform")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 7 and "README.md" in names  # six decisions and the index
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


def test_it_writes_an_index_of_the_log(example, tmp_path):
    call_command("export_adrs", "--out", str(tmp_path), "--workspace", "platform")
    index = (tmp_path / "README.md").read_text()

    assert index.startswith("# Architecture Decision Records\n\n6 decisions, written as MADR 4.")
    assert (
        "| 0006 | [Decide on API Gateway Requirements](0006-decide-on-api-gateway-requirements.md)"
        " | Draft |"
    ) in index


def test_it_writes_the_nygard_format_that_adr_tools_reads(example, tmp_path):
    call_command(
        "export_adrs", "--out", str(tmp_path), "--workspace", "platform", "--format", "nygard"
    )
    path = tmp_path / "0004-use-amazon-cloudfront-and-an-application-load-balancer-at-the-edge.md"
    text = path.read_text()

    assert text.startswith(
        "# 4. Use Amazon CloudFront and an Application Load Balancer at the edge\n"
    )
    assert (
        "\n## Status\n\nAccepted\n\nSupersedes [2. Expose public APIs through NGINX on EC2]" in text
    )
    assert "(0002-expose-public-apis-through-nginx-on-ec2.md)" in text
    again = read(text, path.name, "nygard")
    assert again.format == "nygard"
    assert (again.record.number, again.record.status) == (4, "accepted")
    assert [(r.kind, r.number) for r in again.record.relations] == [("supersedes", 2)]


def test_it_writes_the_decide_on_style_of_the_seed_page(example, tmp_path):
    call_command(
        "export_adrs", "--out", str(tmp_path), "--workspace", "platform", "--format", "decide-on"
    )
    path = tmp_path / "0006-decide-on-api-gateway-requirements.md"
    text = path.read_text()

    assert text.startswith("---\ntitle: Decide on API Gateway Requirements\ndescription: ")
    assert "\n## Common Scenarios\n" in text and "\n:::info\n" in text
    again = read(text, path.name, "decide-on").record
    assert [s.title for s in again.scenarios] == ["REST API", "HTTP API", "WebSocket API"]
    assert all(s.choose_when for s in again.scenarios)
    assert [c.is_open for c in again.considerations] == [False, True, True]
    options = again.considerations[0].options
    assert [o.title for o in options] == [
        "IAM authentication",
        "Amazon Cognito",
        "API key",
        "Lambda authorizer",
    ]
    assert [(r.kind, r.number) for r in again.relations if r.kind == "see_also"] == [
        ("see_also", 5)
    ]
