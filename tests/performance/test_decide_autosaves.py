"""Query budgets of the Decide step's autosaves: an answer's note, a weight and a score save in at
most six queries, as the editor's other autosaves do, and a changed answer in a few more (what
it rules out, favours and needs is stored with it), whatever the number of scenarios, drivers and
answers. The ranking is not part of the save: the page fetches it once the changes pause.
"""

from __future__ import annotations

import pytest

from apps.authoring.management.commands.load_kits import load_kits
from apps.authoring.models import Kit
from apps.decisions.models import Decision, Scenario

from ..deciding.helpers import form_data, url

HTMX = {"HX-Request": "true"}

# The user, the membership, the value read with its decision, the revision, the write and the
# writer's contribution. A changed answer also clears what the answer before it needed and stores
# what the new one means, in a transaction (whose savepoint is two queries in a test's own).
MOST = {"note": 6, "weight": 6, "score": 6, "answer": 9}


@pytest.fixture(autouse=True)
def sessions_in_a_shared_cache(settings):
    """As in test_query_budgets: sessions come from the shared cache, not the database."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def _draft(workspace, owner, extra: int) -> Decision:
    """The API gateway kit's draft, with `extra` more scenarios and drivers."""
    decision = Kit.objects.get(slug="api-gateway").start(workspace, owner=owner)
    top = Scenario.objects.filter(decision=decision).count()
    Scenario.objects.bulk_create(
        Scenario(decision=decision, title=f"Scenario {i}", position=top + i) for i in range(extra)
    )
    drivers = decision.drivers + "".join(f"\nDriver {i}" for i in range(extra))
    Decision.objects.filter(pk=decision.pk).update(drivers=drivers)
    return decision


def _saves(client, decision) -> dict[str, tuple[str, dict]]:
    """Each kind of autosave as the page posts it, changing one value."""
    html = client.get(url(decision)).content.decode()
    rest = Scenario.objects.get(decision=decision, title="REST API")
    note = form_data(html, "answer-push")
    note["note"] = "Dashboards poll."
    answer = form_data(html, "answer-api-keys")
    answer["answer"] = "No"
    weight = form_data(html, "criterion-1")
    weight["weight"] = "5"
    score = form_data(html, "criterion-2")
    score[f"score-{rest.pk}"] = "-1"
    return {
        "note": ("answer/push/", note),
        "answer": ("answer/api-keys/", answer),
        "weight": ("criterion/1/", weight),
        "score": ("criterion/2/", score),
    }


def _prepare(client, decision) -> None:
    """What a page has done before the timed saves: answered, and weighed each timed driver."""
    html = client.get(url(decision)).content.decode()
    for form, path, change in [
        ("answer-push", "answer/push/", {"answer": "Yes"}),
        ("answer-api-keys", "answer/api-keys/", {"answer": "Yes"}),
        ("criterion-1", "criterion/1/", {"weight": "4"}),
        ("criterion-2", "criterion/2/", {"weight": "4"}),
    ]:
        data = {**form_data(html, form), **change}
        assert client.post(url(decision, path), data, headers=HTMX).status_code == 200
    rest = Scenario.objects.get(decision=decision, title="REST API")
    html = client.get(url(decision)).content.decode()
    data = {**form_data(html, "criterion-2"), f"score-{rest.pk}": "1"}
    assert client.post(url(decision, "criterion/2/"), data, headers=HTMX).status_code == 200


def test_its_autosaves_stay_within_their_budgets_as_the_decision_grows(
    author_client, workspace, author, django_assert_max_num_queries
):
    load_kits()
    counts = {}
    for extra in (0, 30):
        decision = _draft(workspace, author, extra)
        _prepare(author_client, decision)
        for kind, (path, data) in _saves(author_client, decision).items():
            with django_assert_max_num_queries(MOST[kind]) as captured:
                response = author_client.post(url(decision, path), data, headers=HTMX)
            assert response.status_code == 200, (kind, response.content[:300])
            assert "adroit:revision" in response["HX-Trigger"], kind
            counts[kind, extra] = len(captured)
    for kind in MOST:
        assert counts[kind, 0] == counts[kind, 30], counts
