"""The render cache never serves a stale revision: each change is read on the next page read.

The page is read first (so its parts are cached), then one thing changes the way the app changes
it (the editor's conditional update and revision bump, a status move, another decision's edit or
relation), then the next read must show it.
"""

from __future__ import annotations

import pytest

from apps.decisions.access import get_page_access
from apps.decisions.building import link
from apps.decisions.cache import page_key, with_page_key
from apps.decisions.models import Decision, Scenario, Status

from ..factories import make_decision
from ..reviews.helpers import draft


@pytest.fixture
def decision(workspace, author):
    return draft(workspace, author, title="Choose an API style")


def page(client, decision) -> str:
    response = client.get(f"/w/{decision.workspace.slug}/{decision.number}/")
    assert response.status_code == 200
    return response.content.decode()


def markdown(client, decision) -> str:
    response = client.post(f"/w/{decision.workspace.slug}/{decision.number}.md")
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_an_edited_field_on_the_next_read(author_client, decision):
    assert "We expose an API." in page(author_client, decision)
    assert "We expose an API." in markdown(author_client, decision)

    assert decision.bump_revision(decision.revision, context="We expose a streaming API.")

    assert "We expose a streaming API." in page(author_client, decision)
    assert "We expose a streaming API." in markdown(author_client, decision)


def test_it_shows_an_edited_row_of_the_record_on_the_next_read(author_client, decision):
    assert "HTTP API" in page(author_client, decision)
    # What the editor does for a row: the row's update and the next revision, together.
    Scenario.objects.filter(decision=decision, title="HTTP API").update(title="gRPC API")
    assert decision.bump_revision(decision.revision)

    body = page(author_client, decision)
    assert "gRPC API" in body
    assert "HTTP API" not in body
    assert "gRPC API" in markdown(author_client, decision)


def test_it_shows_a_status_move_and_its_history_on_the_next_read(author_client, decision, author):
    assert "Rejected" not in page(author_client, decision)
    Decision.objects.filter(pk=decision.pk).update(status=Status.IN_REVIEW)
    decision.refresh_from_db()

    decision.move_to(Status.REJECTED, by=author, reason="Too costly to run")

    body = page(author_client, decision)
    assert "status-rejected" in body
    assert "Too costly to run" in body
    assert "status: rejected" in markdown(author_client, decision).lower()


def test_it_shows_a_related_decisions_new_title_on_the_next_read(
    author_client, workspace, decision
):
    other = make_decision(workspace, title="Use an API gateway")
    link(decision, other, "relates_to")
    decision.bump_revision(decision.revision)  # adding a relation is an edit of this decision
    assert "Use an API gateway" in page(author_client, decision)

    # The other decision's own edit: this decision's revision does not move.
    assert other.bump_revision(other.revision, title="Use a service mesh")

    body = page(author_client, decision)
    assert "Use a service mesh" in body
    assert "Use an API gateway" not in body
    assert "Use a service mesh" in markdown(author_client, decision)


def test_it_shows_a_relation_another_decision_made_on_the_next_read(
    author_client, workspace, decision
):
    assert "Superseded by" not in page(author_client, decision)
    newer = make_decision(workspace, title="Choose GraphQL")

    # Only the newer decision is edited; the older one's row is not touched.
    link(newer, decision, "supersedes")

    body = page(author_client, decision)
    assert "Choose GraphQL" in body
    assert "Choose GraphQL" in markdown(author_client, decision)


def test_it_names_a_file_anew_when_another_decision_takes_its_name(workspace, decision):
    def file_key() -> str:
        return page_key(with_page_key(Decision.objects.all(), folder=True).get(pk=decision.pk))

    before = file_key()
    # A file's name is made unique against the folder's other names: a new decision of the same
    # title may rename links to it, so the file's key covers the folder.
    make_decision(workspace, title="Choose an API style")

    assert file_key() != before


def test_it_keys_each_revision_and_each_related_change_apart(workspace, decision):
    def key() -> str:
        return page_key(with_page_key(Decision.objects.all()).get(pk=decision.pk))

    keys = [key()]
    decision.bump_revision(decision.revision, overview="An overview.")
    keys.append(key())
    other = make_decision(workspace, title="Use an API gateway")
    link(other, decision, "relates_to")
    keys.append(key())
    other.bump_revision(other.revision, title="Use a mesh")
    keys.append(key())

    assert len(set(keys)) == len(keys)


def test_it_refuses_to_key_a_decision_loaded_without_its_stamp(decision):
    with pytest.raises(ValueError, match="with_page_key"):
        page_key(Decision.objects.get(pk=decision.pk))


def test_it_reads_the_page_s_decision_as_the_orm_reads_it(rf, author, decision):
    request = rf.get("/")
    request.user = author
    read, membership = get_page_access(request, decision.workspace.slug, decision.number)
    orm = with_page_key(Decision.objects.all()).get(pk=decision.pk)
    # The same key, so the page and the exports share one cache entry per revision.
    assert page_key(read) == page_key(orm)
    fields = [f.attname for f in Decision._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert read.owner == orm.owner and read.workspace == orm.workspace
    assert membership.role == "author"
