"""Query budget of a decision IN REVIEW (issue 17): the page reads its round, the approvals'
standing (who wrote the text, judged once per request) and the threads in a fixed number of
queries, however many reviewers, approvals, change requests and comments the round has.

Issue 17 asks the page's 8. The review's rows are read only when they changed: the page's one
review query sums them up in a stamp (apps/reviews/panel.py), and the regions that show them
are cached under it, so a page read from the cache makes 5 queries in review (4 in draft). It
used to be 24, then 12: the round, its reviewers, approvals and change requests, the threads
and who wrote the text were read on every view.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.reviews.models import Contribution, Thread

from ..factories import make_team
from ..reviews.helpers import in_review, open_round

BUDGET = 8


@pytest.fixture(autouse=True)
def sessions_in_a_shared_cache(settings):
    # As tests/performance/test_query_budgets.py: the deployment the budgets are for.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def _page_queries(client, decision) -> int:
    url = f"/w/{decision.workspace.slug}/{decision.number}/"
    assert client.get(url).status_code == 200  # the first read builds the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def _review_activity(decision, reviewers: list, tag: str) -> None:
    """Each reviewer approves, asks for a change and comments twice; one approval goes stale."""
    round = open_round(decision)
    for reviewer in reviewers:
        round.approve(reviewer)
        round.request_changes(reviewer, f"Say more about costs ({tag}, {reviewer.username}).")
        thread = Thread.start(decision, "context", reviewer, f"Why this? ({tag})")
        thread.reply(decision.owner, "Because of the gateway.")
    # A reviewer who then writes part of the text: their approval no longer counts.
    Contribution.record(decision, reviewers[0])


def test_it_reads_a_decision_in_review_within_the_budget_as_its_review_grows(client, workspace):
    people = make_team(workspace, ada="author", rita="reviewer", rob="reviewer", ray="reviewer")
    more = make_team(workspace, **{f"rev{i}": "reviewer" for i in range(6)})
    everyone = [people["rita"], people["rob"], people["ray"], *more.values()]
    decision = in_review(workspace, people["ada"], everyone, needed=20)
    client.force_login(people["rita"])

    _review_activity(decision, [people["rob"], people["ray"]], "few")
    few = _page_queries(client, decision)
    _review_activity(decision, list(more.values()), "many")
    many = _page_queries(client, decision)

    assert open_round(decision).approvals.count() == 8
    assert many == few
    assert many <= BUDGET, many
