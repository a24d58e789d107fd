"""The XSS corpus beyond the record: status change reasons, change request notes, workspace names
and descriptions, and people's names, through the pages that show them (versions, diff,
timeline, notifications, audit log, decision, workspaces, exports), the version PDF and the
Nygard and "Decide on" exports.

Plain text fields must reach each page escaped (`assert_escaped` also proves they got there);
Markdown fields must render inside `hx-disable` regions and pass the full check there.
Short fields (names) take the corpus in pieces: every payload goes through at least one page.
"""

import io
import zipfile

import pytest
from django.core.management import call_command

from apps.core.markdown import render_markdown
from apps.decisions.models import Decision, Status
from apps.exports.models import ExportJob
from apps.exports.tasks import build
from apps.reviews.models import ReviewRound
from apps.workspaces.models import Workspace

from ..conftest import built_once
from ..factories import add_member, make_decision, make_user, make_workspace
from .xss import (
    ALL_PAYLOADS,
    SHORT_PAYLOAD,
    assert_escaped,
    assert_fragment_harmless,
    assert_harmless,
    assert_pdf_harmless,
    hostile_decision,
    hx_disabled_regions,
    payload_chunks,
)

HX = {"HX-Request": "true"}
NAMES = payload_chunks(150)  # first_name and last_name hold 150 characters each
NAME_PAIRS = [
    (NAMES[i], NAMES[i + 1] if i + 1 < len(NAMES) else "") for i in range(0, len(NAMES), 2)
]
WORKSPACE_NAMES = payload_chunks(200)


def send_to_review(decision: Decision, by, reviewers) -> ReviewRound:
    # Straight to review: these decisions are hostile, not complete, and only their rendering
    # is under test here.
    decision.move_to(Status.IN_REVIEW, by=by)
    return ReviewRound.open_for(decision, by=by, reviewers=reviewers)


def approve(decision: Decision, reviewer) -> None:
    ReviewRound.objects.open().get(decision=decision).approve(reviewer)
    decision.refresh_from_db()


@pytest.mark.parametrize("chunk", NAMES)
def test_it_keeps_each_name_escaped(client, db, chunk):
    workspace = make_workspace("team")
    # The corpus piece as the reviewer's first name and as the author's last name.
    ada = make_user("ada", first_name="Ada", last_name=chunk)
    rita = make_user("rita", first_name=chunk)
    add_member(workspace, ada, "author")
    add_member(workspace, rita, "reviewer")
    decision = make_decision(workspace, "Use PostgreSQL", owner=ada)
    send_to_review(decision, ada, [rita])
    approve(decision, rita)
    pages = []

    client.force_login(rita)
    pages.append((client.get(f"/w/team/{decision.number}/versions/"), [rita]))
    pages.append((client.get("/notifications/"), [rita, ada]))
    client.force_login(ada)
    pages.append((client.get("/notifications/"), [ada, rita]))
    pages.append((client.get("/timeline/"), [ada, rita]))

    for response, people in pages:
        html = response.content.decode()
        assert_fragment_harmless(html, own="/")
        for person in people:
            assert_escaped(html, person.get_full_name())


def test_it_accepts_when_the_last_approver_has_a_long_name(db):
    workspace = make_workspace("team")
    ada = make_user("ada")
    rita = make_user("rita", first_name="R" * 150, last_name="S" * 150)
    add_member(workspace, ada, "author")
    add_member(workspace, rita, "reviewer")
    decision = make_decision(workspace, "Use PostgreSQL", owner=ada)
    send_to_review(decision, ada, [rita])

    approve(decision, rita)

    assert decision.status == "accepted"
    version = decision.versions.get()
    assert version.accepted_by == rita.get_full_name()[:200]
    assert [a["name"] for a in version.approvals] == [rita.get_full_name()]


@pytest.mark.parametrize("name", WORKSPACE_NAMES)
def test_it_keeps_each_workspace_name_escaped(client, db, name):
    workspace = Workspace.objects.create(slug="team", name=name)
    adam = make_user("adam")
    add_member(workspace, adam, "admin")
    decision = make_decision(workspace, "Use PostgreSQL", owner=adam)
    client.force_login(adam)

    for path in ("/w/team/audit/", decision.get_absolute_url(), "/workspaces/"):
        html = client.get(path).content.decode()
        assert_fragment_harmless(html, own="/")
        assert_escaped(html, name)


def marked_draft(workspace, owner) -> Decision:
    return make_decision(
        workspace, "Marked", owner=owner, context="Plain **hx-marker** text.\n\n" + ALL_PAYLOADS
    )


def assert_user_content_in_hx_disable(html: str) -> None:
    rendered = "<strong>hx-marker</strong>"
    inside = sum(region.count(rendered) for region in hx_disabled_regions(html))
    assert inside >= 1 and inside == html.count(rendered)


def test_it_wraps_the_decision_page_body_in_hx_disable(author_client, workspace, author):
    decision = marked_draft(workspace, author)

    assert_user_content_in_hx_disable(
        author_client.get(decision.get_absolute_url()).content.decode()
    )


def test_it_wraps_the_version_page_body_in_hx_disable(author_client, workspace, author):
    rita = make_user("rita")
    add_member(workspace, rita, "reviewer")
    decision = marked_draft(workspace, author)
    send_to_review(decision, author, [rita])
    approve(decision, rita)

    html = author_client.get(f"/w/team/{decision.number}/versions/1/").content.decode()

    assert_user_content_in_hx_disable(html)


def test_it_wraps_the_authoring_preview_in_hx_disable(author_client, workspace, author):
    decision = marked_draft(workspace, author)

    html = author_client.get(f"/w/team/{decision.number}/edit/", follow=True).content.decode()

    assert "Plain **hx-marker** text." in html  # the field, escaped text outside the region
    assert_user_content_in_hx_disable(html)


# --- One hostile world, built once for the tests below ------------------------------------
# They only read it. Each test above makes a workspace "team" of its own, which would clash
# with the world's: they run first, and a test that makes one goes above this line.


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    with built_once(django_db_blocker, tmp_path_factory.mktemp("world")):
        yield build_world()


@pytest.fixture
def world(db, shared_world) -> dict:
    return shared_world


def build_world() -> dict:
    """ADR-0001 accepted as v1, reopened with a hostile reason, changed and accepted as v2;
    ADR-0002 in review with an open hostile change request; ADR-0003 rejected with a hostile
    reason. The workspace, its description and the people's names are hostile too."""
    workspace = Workspace.objects.create(
        slug="team", name=WORKSPACE_NAMES[0], description=ALL_PAYLOADS
    )
    # A second workspace, so pages that list several name each decision's workspace.
    other = Workspace.objects.create(slug="other", name=WORKSPACE_NAMES[1])
    ada = make_user("ada", first_name=NAMES[0], last_name=NAMES[1])
    # Rita accepts: her name is shortened to fit Version.accepted_by (see the long-name test).
    rita = make_user("rita", first_name=NAMES[2])
    adam = make_user("adam", first_name=NAMES[4], last_name=NAMES[5])
    add_member(workspace, ada, "author")
    add_member(other, ada, "author")
    add_member(workspace, rita, "reviewer")
    add_member(workspace, adam, "admin")

    decision = hostile_decision(workspace, number=1)
    decision.owner = ada
    decision.save()
    send_to_review(decision, ada, [rita]).request_changes(rita, ALL_PAYLOADS)
    approve(decision, rita)  # also meets Rita's own change request
    decision.move_to(Status.DRAFT, by=ada, reason=ALL_PAYLOADS)
    # v2 says something else, so the diff shows every hostile line of v1's context removed.
    Decision.objects.filter(pk=decision.pk).update(context="Rewritten without payloads.")
    send_to_review(decision, ada, [rita])
    approve(decision, rita)

    pending = hostile_decision(workspace, number=2)
    pending.owner = ada
    pending.save()
    send_to_review(pending, ada, [rita]).request_changes(rita, ALL_PAYLOADS)

    rejected = make_decision(workspace, "Use a mainframe", owner=ada, number=3)
    send_to_review(rejected, ada, [rita])
    rejected.move_to(Status.REJECTED, by=rita, reason=ALL_PAYLOADS)
    return {"workspace": workspace, "ada": ada, "rita": rita, "adam": adam}


# (page, who reads it, the plain texts it must show escaped: keys of `texts` below)
PAGES = [
    ("/w/team/1/versions/", "ada", ["rita"]),
    ("/w/team/1/versions/2/", "ada", ["rita", "title"]),
    ("/w/team/1/versions/diff/?a=1&b=2", "ada", ["title"]),
    ("/timeline/", "ada", ["reason", "ada", "rita", "title", "workspace"]),
    ("/notifications/", "ada", ["rita", "title"]),
    ("/notifications/", "rita", ["ada", "title"]),
    ("/w/team/audit/", "adam", ["reason", "title", "workspace"]),
    ("/w/team/1/", "ada", ["reason", "ada", "rita", "title", "workspace"]),
    ("/w/team/2/", "ada", ["rita", "title", "workspace"]),
    ("/w/team/2/review/", "rita", ["ada", "rita", "title"]),
    ("/w/team/3/", "ada", ["reason", "rita", "workspace"]),
    ("/workspaces/", "ada", ["description", "workspace"]),
    ("/w/team/exports/", "ada", ["workspace"]),
]


def texts(world) -> dict[str, str]:
    return {
        "reason": ALL_PAYLOADS,
        "description": ALL_PAYLOADS,
        "title": SHORT_PAYLOAD,
        "workspace": world["workspace"].name,
        **{name: world[name].get_full_name() for name in ("ada", "rita", "adam")},
    }


@pytest.mark.parametrize("path,who,shown", PAGES)
def test_it_renders_the_page_harmless(client, world, path, who, shown):
    client.force_login(world[who])

    page = client.get(path)

    assert page.status_code == 200
    html = page.content.decode()
    assert_fragment_harmless(html, own="/")
    expected = texts(world)
    for key in shown:
        assert_escaped(html, expected[key])


@pytest.mark.parametrize(
    "path,who",
    [
        ("/w/team/1/versions/", "ada"),
        ("/w/team/1/versions/2/", "ada"),
        ("/w/team/1/versions/diff/?a=1&b=2", "ada"),
        ("/timeline/", "ada"),
        ("/notifications/", "ada"),
        ("/w/team/audit/", "adam"),
        ("/w/team/2/review/", "rita"),
    ],
)
def test_it_renders_the_htmx_fragment_harmless(client, world, path, who):
    client.force_login(world[who])

    response = client.get(path, headers=HX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert_fragment_harmless(html, own="/")


def test_it_shows_each_removed_line_escaped_in_the_diff(client, world):
    client.force_login(world["ada"])

    html = client.get("/w/team/1/versions/diff/?a=1&b=2").content.decode()

    for line in ALL_PAYLOADS.splitlines():
        if line.strip():
            assert_escaped(html, line.strip())


def test_it_renders_the_change_request_note_in_an_hx_disable_region(client, world):
    client.force_login(world["ada"])

    html = client.get("/w/team/2/").content.decode()

    notes = [r for r in hx_disabled_regions(html) if "asks for changes" not in r]
    bodies = html.split('<div class="comment-body" hx-disable>')[1:]
    assert len(bodies) == 1 and bodies[0].split("</div>")[0].strip()
    for region in notes:
        assert_harmless(region)


def test_it_renders_the_version_pdf_harmless(client, world):
    client.force_login(world["ada"])

    response = client.post("/w/team/1/versions/2.pdf")

    assert response.status_code == 200
    assert_pdf_harmless(response.content)


def exported_files(folder) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("fmt", ["nygard", "decide-on"])
def test_it_keeps_the_text_in_the_command_line_export(world, tmp_path, fmt):
    call_command("export_adrs", "--out", str(tmp_path), "--format", fmt, "--workspace", "team")

    files = exported_files(tmp_path)
    assert len(files) == 4  # three decisions and the index
    hostile = [name for name in files if name.startswith(("0001-", "0002-"))]
    assert len(hostile) == 2
    for name in hostile:
        # The export keeps what the authors wrote ...
        assert "<script>alert(1)</script>" in files[name], name
    for text in files.values():
        # ... and anything that renders it through Adroit gets harmless HTML.
        assert_harmless(render_markdown(text))


@pytest.mark.parametrize("fmt", ["nygard", "decide-on"])
def test_it_keeps_the_text_in_the_web_export(client, world, fmt):
    client.force_login(world["ada"])
    client.post("/w/team/exports/start/", {"kind": "zip", "format": fmt})
    job = ExportJob.objects.get()
    build(job)

    body = client.post(f"/w/team/exports/{job.pk}/download/").getvalue()

    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        texts = {name: archive.read(name).decode() for name in archive.namelist()}
    assert sum("<script>alert(1)</script>" in text for text in texts.values()) >= 2
    for text in texts.values():
        assert_harmless(render_markdown(text))
