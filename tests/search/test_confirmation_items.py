"""Search finds a decision by its confirmation checklist, kept in step as the list changes."""

from __future__ import annotations

import pytest

from apps.decisions.models import ConfirmationItem, Decision

from ..reviews.helpers import accepted, draft
from .test_search import results


@pytest.fixture
def member(workspace, author, client):
    client.force_login(author)
    return client


def _revision(decision: Decision) -> int:
    return Decision.objects.values_list("revision", flat=True).get(pk=decision.pk)


def test_it_finds_a_checklist_item_as_it_is_added_edited_and_removed(member, workspace, author):
    decision = draft(workspace, author)
    base = f"/w/{workspace.slug}/{decision.number}/confirmation/"
    assert results(member, "/search/?q=contoso") == []

    added = member.post(
        base + "add/",
        {"text": "Penetration test by Contoso", "revision": _revision(decision)},
    )
    assert added.status_code == 302
    assert results(member, "/search/?q=contoso") == ["ADR-0001"]

    item = ConfirmationItem.objects.get(decision=decision)
    saved = member.post(
        f"{base}{item.pk}/",
        {
            f"item-{item.pk}-text": "Load test by Fabrikam",
            f"item-{item.pk}-revision": _revision(decision),
        },
    )
    assert saved.status_code == 302
    assert results(member, "/search/?q=contoso") == []
    assert results(member, "/search/?q=fabrikam") == ["ADR-0001"]

    removed = member.post(f"{base}{item.pk}/remove/", {"revision": _revision(decision)})
    assert removed.status_code == 302
    assert results(member, "/search/?q=fabrikam") == []


def test_it_finds_what_a_check_of_an_accepted_decision_found(client, people):
    workspace, member = people["workspace"], client
    member.force_login(people["ada"])
    decision, _ = accepted(workspace, people["ada"], people["rita"])
    item = ConfirmationItem.objects.create(decision=decision, text="Gateway logs reviewed")
    assert results(member, "/search/?q=wireshark") == []

    response = member.post(
        f"/w/{workspace.slug}/{decision.number}/confirmation/{item.pk}/state/",
        {"state": "confirmed", "note": "Traced with Wireshark: every call signed."},
    )

    assert response.status_code == 302
    assert results(member, "/search/?q=wireshark") == [decision.ref]
