"""Search, filters, paging and the timeline, on the database the suite runs on."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.backups.archive import dump_workspace, restore_workspace
from apps.decisions.models import Decision, Participant, Scenario, Tag
from apps.reviews.models import Thread, submit_for_review
from apps.search.index import index_decisions
from apps.search.models import SearchDocument

from ..factories import add_member, make_decision, make_user, make_workspace
from ..reviews.helpers import draft


@pytest.fixture
def member(workspace, author, client):
    client.force_login(author)
    return client


ROW = re.compile(r'<a href="/w/[^"]+/">(ADR-\d{4})|<td class="ref">(ADR-\d{4})')


def results(client, url: str) -> list[str]:
    """The decisions listed, in order: search links "ADR-0001 Title", the log has a cell."""
    page = client.get(url).content.decode()
    return [a or b for a, b in ROW.findall(page)]


def test_it_ranks_a_title_match_above_a_body_match(member, workspace):
    make_decision(workspace, "Message broker", context="We compare Kafka with RabbitMQ.")
    make_decision(workspace, "Kafka for event streaming", context="Events between services.")
    make_decision(workspace, "Use PostgreSQL", context="Relational data.")

    assert results(member, "/search/?q=kafka") == ["ADR-0002", "ADR-0001"]


def test_it_searches_scenarios_considerations_options_outcomes_and_comments(
    member, workspace, author
):
    decision = make_decision(workspace, "Edge", rationale="Cheapest at our volume.")
    Scenario.objects.create(decision=decision, title="HTTP API", choose_when="latency matters")
    other = make_decision(workspace, "Other")
    Thread.start(other, "context", author, "Have we asked the **auditors**?")

    assert results(member, "/search/?q=latency") == ["ADR-0001"]
    assert results(member, "/search/?q=cheapest") == ["ADR-0001"]
    assert results(member, "/search/?q=auditors") == ["ADR-0002"]


def test_it_finds_what_was_written_after_the_last_search(member, workspace, author):
    decision = make_decision(workspace, "Gateway")
    assert results(member, "/search/?q=throttling") == []

    decision.context = "Throttling per client."
    decision.save()
    thread = Thread.start(decision, "context", author, "First")
    assert results(member, "/search/?q=throttling") == ["ADR-0001"]

    thread.reply(author, "What about quotas?")
    assert results(member, "/search/?q=quotas") == ["ADR-0001"]


def test_it_finds_decisions_restored_with_their_old_dates(member, workspace, author):
    old = make_workspace("ops")
    add_member(old, author, "author")
    make_decision(old, "Kafka for event streaming")
    Decision.objects.filter(workspace=old).update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    archive = dump_workspace(old)
    SearchDocument.objects.all().delete()
    Decision.objects.filter(workspace=old).delete()
    old.delete()
    assert results(member, "/search/?q=kafka") == []

    restore_workspace(archive)  # its members come back with it

    assert results(member, "/search/?q=kafka") == ["ADR-0001"]


def test_it_escapes_user_text_in_snippets_and_marks_the_match(member, workspace):
    context = "Route <script>alert(1)</script> the gateway <img src=x onerror=alert(2)> rules"
    make_decision(workspace, "Plain", context=context)

    page = member.get("/search/?q=gateway").content.decode()
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S)[1]

    # Only our <mark> is markup; user text is escaped (SQLite) or stripped of tags (PostgreSQL's
    # ts_headline drops them).
    assert {tag for tag in re.findall(r"</?([a-zA-Z]+)", snippet)} == {"mark"}
    assert "<mark>gateway</mark>" in snippet.lower()


def test_it_shows_only_the_workspaces_of_the_member(member, workspace):
    secret = make_workspace("secret")
    make_decision(secret, "Kafka secrets")
    make_decision(workspace, "Kafka here")

    assert results(member, "/search/?q=kafka") == ["ADR-0001"]
    page = member.get("/search/?q=kafka").content.decode()
    assert "Kafka secrets" not in page


def test_it_combines_filters(member, workspace, author):
    other = make_user("bo", first_name="Bo")
    add_member(workspace, other, "author")
    security = Tag.objects.create(workspace=workspace, name="security")
    wanted = make_decision(workspace, "Wanted", status="accepted", owner=author)
    wanted.tags.add(security)
    Participant.objects.create(decision=wanted, role="decision_maker", name="Priya Raman")
    Decision.objects.filter(pk=wanted.pk).update(decided_on=dt.date(2026, 3, 1))
    wrong_status = make_decision(workspace, "Draft", owner=author)
    wrong_status.tags.add(security)
    wrong_owner = make_decision(workspace, "Bo's", status="accepted", owner=other)
    wrong_owner.tags.add(security)
    make_decision(workspace, "Untagged", status="accepted", owner=author)

    url = "/?status=accepted&tag=security&owner=ada"
    assert results(member, url) == ["ADR-0001"]
    assert results(member, url + "&maker=priya") == ["ADR-0001"]
    assert results(member, url + "&maker=someone") == []
    assert results(member, url + "&since=2026-02-01&until=2026-03-31") == ["ADR-0001"]
    assert results(member, url + "&since=2026-04-01") == []
    assert results(member, "/?owner=Bo") == ["ADR-0003"]
    assert results(member, "/search/?q=wanted&status=draft") == []


def test_it_filters_by_workspace_on_the_log_and_the_search(member, workspace, author):
    payments = make_workspace("payments", "Payments")
    add_member(payments, author, "author")
    make_decision(workspace, "Kafka for the platform")
    make_decision(payments, "Kafka for payments")
    make_decision(payments, "Card vault", status="accepted")

    assert len(results(member, "/")) == 3
    assert results(member, "/?workspace=payments") == ["ADR-0002", "ADR-0001"]
    assert results(member, "/?workspace=payments&status=accepted") == ["ADR-0002"]
    assert results(member, "/search/?q=kafka&workspace=payments") == ["ADR-0001"]
    page = member.get("/search/?q=kafka&workspace=payments").content.decode()
    assert "Kafka for payments" in page and "Kafka for the platform" not in page


def test_it_says_so_when_the_date_range_is_backwards(member, workspace):
    page = member.get("/?since=2026-05-01&until=2026-01-01").content.decode()
    assert "The end of the range is before its start." in page


def test_it_pages_the_log_and_keeps_the_filters_in_the_links(member, workspace):
    Decision.objects.bulk_create(
        Decision(workspace=workspace, number=i, title=f"D{i}", status="accepted")
        for i in range(1, 56)
    )

    first = member.get("/?status=accepted").content.decode()
    second = member.get("/?status=accepted&page=2").content.decode()

    assert first.count('class="ref"') == 50 and second.count('class="ref"') == 5
    assert 'href="?status=accepted&amp;page=2"' in first
    assert "Page 2 of 2" in second


def test_it_answers_htmx_with_the_results_region_only(member, workspace):
    make_decision(workspace, "Kafka")
    page = member.get("/search/?q=kafka", headers={"HX-Request": "true"}).content.decode()

    assert page.lstrip().startswith('<section id="results"')
    assert "<html" not in page


def test_it_lists_status_changes_in_time_order_with_filters(member, workspace, author):
    decision = draft(workspace, author, title="Lifecycle")
    submit_for_review(decision, by=author)
    make_decision(workspace, "Another")

    page = member.get("/timeline/?tag=&status=in_review").content.decode()
    rows = re.findall(r"<li>(.*?)</li>", page, re.S)
    text = [" ".join(r.split()) for r in rows]

    assert len(text) == 2  # the submission, then the start; "Another" is filtered out
    assert 'Draft</span> → <span class="status status-in_review">In review' in text[0]
    assert "started" in text[1] and "ADR-0001" in text[1]


def _grow(workspace, count: int) -> None:
    start = Decision.objects.filter(workspace=workspace).count() + 1
    made = Decision.objects.bulk_create(
        Decision(
            workspace=workspace,
            number=start + i,
            title=f"Decision {start + i} about kafka",
            context="Context of the kafka decision.",
            status="accepted" if i % 2 else "draft",
        )
        for i in range(count)
    )
    index_decisions(d.pk for d in made)


def test_it_makes_as_many_queries_with_10000_decisions_as_with_10(member, workspace):
    urls = ["/", "/?status=accepted&owner=ada", "/search/?q=kafka", "/timeline/?status=draft"]

    def count(url: str) -> list[str]:
        member.get(url)  # documents of new decisions are built on the first search
        with CaptureQueriesContext(connection) as queries:
            assert member.get(url).status_code == 200
        return [q["sql"] for q in queries.captured_queries]

    _grow(workspace, 10)
    few = {url: count(url) for url in urls}
    _grow(workspace, 9_990)
    assert SearchDocument.objects.count() == 10_000
    many = {url: count(url) for url in urls}

    assert {u: len(q) for u, q in many.items()} == {u: len(q) for u, q in few.items()}
