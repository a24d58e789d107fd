from io import BytesIO

import pytest
from pypdf import PdfReader

from apps.decisions.models import Decision
from apps.reviews.models import submit_for_review

from ..conftest import built_once, make_people
from ..factories import make_workspace
from ..reviews.helpers import accepted, open_round
from .helpers import added, removed


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """The team and its decision with two versions, built once for the module: every test here
    only reads them (two reviews each time were most of the module's time)."""
    with built_once(django_db_blocker, tmp_path_factory.mktemp("versions")):
        people = make_people(make_workspace("team"))
        yield {"people": people, "decision": with_two_versions(people)}


@pytest.fixture
def people(db, shared) -> dict:
    return shared["people"]


@pytest.fixture
def two_versions(db, shared) -> Decision:
    return shared["decision"]


def with_two_versions(people: dict) -> Decision:
    decision, _ = accepted(people["workspace"], people["ada"], people["rita"])
    decision.move_to("draft", by=people["ada"])
    Decision.objects.filter(pk=decision.pk).update(context="We expose a public API.")
    submit_for_review(decision, by=people["ada"], reviewers=[people["rita"]])
    open_round(decision).approve(people["rita"])
    return decision


def url(decision, tail: str) -> str:
    return f"/w/{decision.workspace.slug}/{decision.number}/versions/{tail}"


TAILS = ["", "1/", "diff/?a=1&b=2", "1.md", "1.pdf"]


def test_it_lists_versions_with_downloads_and_a_diff_picker(client, two_versions, people):
    client.force_login(people["vic"])
    page = client.get(url(two_versions, "")).content.decode()
    assert "v1" in page and "v2" in page and "rita" in page
    assert 'action="/w/team/1/versions/2.pdf"' in page and 'name="a"' in page


def test_it_reads_a_version_from_its_snapshot(client, two_versions, people):
    client.force_login(people["vic"])
    page = client.get(url(two_versions, "1/")).content.decode()
    assert "We expose an API." in page and "public API" not in page
    assert two_versions.versions.get(number=1).sha256 in page


def test_it_diffs_two_versions_by_section(client, two_versions, people):
    client.force_login(people["vic"])
    page = client.get(url(two_versions, "diff/?a=1&b=2")).content.decode()
    assert "1 section changed" in page and "Context and Problem Statement" in page
    assert f"We expose {removed('an')} API." in page
    assert f"We expose {added('a public')} API." in page


def test_it_serves_the_stored_markdown_bytes(client, two_versions, people):
    client.force_login(people["vic"])
    first = client.post(url(two_versions, "1.md"))
    again = client.post(url(two_versions, "1.md"))
    stored = two_versions.versions.get(number=1)
    assert first.content == again.content == stored.markdown.encode()
    assert first["Content-Disposition"] == f'attachment; filename="{two_versions.file_stem}-v1.md"'


def test_it_prints_number_hash_approvals_and_history_in_the_pdf(client, two_versions, people):
    client.force_login(people["vic"])
    response = client.post(url(two_versions, "2.pdf"))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    flat = "".join(text.split())
    v2 = two_versions.versions.get(number=2)
    assert "ADR-0001v2" in flat and v2.sha256 in flat
    assert "Approvedby" in flat and "rita" in flat
    assert "Versionhistory" in flat and "v1" in flat


@pytest.mark.parametrize("tail", TAILS)
def test_it_hides_versions_from_other_workspaces(client, two_versions, people, tail):
    client.force_login(people["olga"])
    assert client.get(url(two_versions, tail)).status_code == 404


# The downloads take the POST of their button (tests/exports/test_downloads.py).
@pytest.mark.parametrize("tail", [t for t in TAILS if not t.endswith((".md", ".pdf"))])
def test_it_refuses_post(client, two_versions, people, tail):
    client.force_login(people["vic"])
    assert client.post(url(two_versions, tail)).status_code == 405


@pytest.mark.parametrize("tail", TAILS)
def test_it_sends_anonymous_readers_to_sign_in(client, two_versions, tail):
    assert client.get(url(two_versions, tail)).status_code == 302


@pytest.mark.parametrize(
    "tail,start",
    [
        ("", '<section id="version-list"'),
        ("1/", '<div class="record-body"'),
        ("diff/?a=1&b=2", '<section class="diff"'),
    ],
)
def test_it_answers_htmx_with_the_region(client, two_versions, people, tail, start):
    client.force_login(people["vic"])
    body = client.get(url(two_versions, tail), headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith(start)


def test_it_answers_404_for_a_missing_version(client, two_versions, people):
    client.force_login(people["vic"])
    assert client.get(url(two_versions, "9/")).status_code == 404
    assert client.get(url(two_versions, "diff/?a=1&b=x")).status_code == 404
