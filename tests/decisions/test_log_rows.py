"""The log's rows come from the cache (apps/decisions/listing.py), never stale, never another's.

Each test reads the log once (so its rows are cached), changes one thing a row shows the way
the app or the database can change it, and reads again.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.urls import reverse
from django.utils import timezone

from apps.decisions.listing import LogPages, _row_key, log_rows
from apps.decisions.models import Decision, Status, Tag

from ..factories import add_member, make_decision, make_user, make_workspace


def log(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_renders_each_row_once_then_reads_it_from_the_cache(author_client, workspace):
    made = [make_decision(workspace, title=f"Decision {i}") for i in range(3)]
    assert "Decision 2" in log(author_client)

    rows = LogPages(Decision.objects.filter(pk__in=[d.pk for d in made]))[0:3]
    keys = [_row_key(row, show_workspace=False) for row in rows]
    cached = cache.get_many(keys)
    assert len(cached) == 3
    assert all("<tr>" in html for html in cached.values())
    assert log_rows(rows, show_workspace=False) == [cached[k] for k in keys]


def test_it_reads_the_whole_results_region_from_the_cache_until_a_row_changes(
    author_client, workspace
):
    decision = make_decision(workspace, title="Use PostgreSQL")
    assert "Use PostgreSQL" in log(author_client)
    # The row's own entry is dropped: the region, cached whole, still shows it.
    row = LogPages(Decision.objects.filter(pk=decision.pk))[0:1][0]
    assert cache.delete(_row_key(row, show_workspace=False))
    assert "Use PostgreSQL" in log(author_client)
    assert cache.get(_row_key(row, show_workspace=False)) is None

    Decision.objects.filter(title="Use PostgreSQL").update(title="Use SQLite")

    page = log(author_client)
    assert "Use SQLite" in page and "Use PostgreSQL" not in page


def test_it_lists_each_workspace_with_its_own_values(client, db):
    reader = make_user("rita", first_name="Rita", last_name="Reader")
    platform, payments = make_workspace("platform"), make_workspace("payments")
    add_member(platform, reader, "viewer")
    add_member(payments, reader, "viewer")
    today = timezone.localdate()
    late = make_decision(
        platform, title="Pick a broker", owner=reader, review_by=today - timedelta(days=2)
    )
    late.tags.add(Tag.objects.create(workspace=platform, name="messaging"))
    make_decision(payments, title="Pick a ledger", review_by=today + timedelta(days=2))
    client.force_login(reader)

    page = log(client)
    broker = page.split("Pick a broker")[1].split("</tr>")[0]
    ledger = page.split("Pick a ledger")[1].split("</tr>")[0]
    assert '<small class="muted">Platform</small>' in broker
    assert ">Rita Reader<" in broker and '<span class="tag">messaging</span>' in broker
    assert "<strong>overdue</strong>" in broker
    assert '<small class="muted">Payments</small>' in ledger
    assert "overdue" not in ledger and ">—<" in ledger
    assert 'href="/w/payments/1/"' in page and 'href="/w/platform/1/"' in page


def test_it_pages_the_log_and_counts_every_decision(author_client, workspace):
    for i in range(55):
        make_decision(workspace, title=f"Decision {i}")

    first, second = log(author_client), author_client.get("/?page=2").content.decode()

    assert "Page 1 of 2 · 55 decisions" in first and "Decision 54<" in first
    assert "Decision 4<" not in first
    assert "Page 2 of 2 · 55 decisions" in second and "Decision 4<" in second
    assert "Decision 5<" not in second

    make_decision(workspace, title="Decision 55")

    assert "Page 1 of 2 · 56 decisions" in log(author_client)


def test_it_shows_a_changed_title_status_and_tag_on_the_next_read(author_client, workspace):
    decision = make_decision(workspace, title="Use PostgreSQL")
    assert "Use PostgreSQL" in log(author_client)

    # A queryset update moves neither the revision nor updated_at: the row's values are the key.
    Decision.objects.filter(pk=decision.pk).update(title="Use SQLite", status=Status.REJECTED)
    decision.tags.add(Tag.objects.create(workspace=workspace, name="storage"))

    page = log(author_client)
    assert "Use SQLite" in page and "Use PostgreSQL" not in page
    assert "status-rejected" in page
    assert '<span class="tag">storage</span>' in page


def test_it_shows_the_owners_new_name_on_the_next_read(author_client, workspace, author):
    make_decision(workspace, title="Use PostgreSQL", owner=author)
    assert ">ada<" in log(author_client)

    author.first_name, author.last_name = "Ada", "Lovelace"
    author.save()

    page = log(author_client)
    assert ">Ada Lovelace<" in page and ">ada<" not in page


def test_it_marks_a_review_date_overdue_once_it_has_passed(author_client, workspace):
    today = timezone.localdate()
    decision = make_decision(workspace, title="Use PostgreSQL", review_by=today)
    assert "<strong>overdue</strong>" not in log(author_client)

    Decision.objects.filter(pk=decision.pk).update(review_by=today - timedelta(days=1))

    assert "<strong>overdue</strong>" in log(author_client)


def test_it_never_shows_a_cached_row_to_a_user_without_rights(client, author_client, workspace):
    make_decision(workspace, title="Buy the secret vendor")
    assert "Buy the secret vendor" in log(author_client)  # now cached

    stranger = make_user("sam")
    add_member(make_workspace("elsewhere"), stranger, "admin")
    client.force_login(stranger)

    assert "Buy the secret vendor" not in log(client)
    assert client.get("/?workspace=team").content.decode().count("Buy the secret vendor") == 0


def test_it_offers_a_workspace_joined_since_the_filters_were_cached(author_client, author):
    add_member(make_workspace("payments", "Payments"), author, "viewer")
    assert 'value="payments"' in log(author_client)  # the filter box, now cached

    add_member(make_workspace("billing", "Billing"), author, "viewer")

    page = log(author_client)
    assert 'value="billing"' in page and 'value="payments"' in page


def test_it_shows_the_filters_as_typed_with_their_errors(author_client):
    assert 'value="Dana"' not in log(author_client)

    page = author_client.get("/?owner=Dana&since=2026-02-01&until=2026-01-01").content.decode()

    assert 'value="Dana"' in page
    assert "The end of the range is before its start." in page


def test_it_shows_each_choice_as_asked_whatever_was_cached_before(author_client):
    def statuses(query: str) -> str:
        page = author_client.get(f"/{query}").content.decode()
        return page.split('class="field statuses"')[1].split("</fieldset>")[0]

    assert "checked" not in statuses("")
    assert 'value="rejected" id="id_status_3" checked' in statuses("?status=rejected")

    # The same pick beside a value that is no choice: an error, marked on the field.
    mixed = statuses("?status=rejected&status=nonsense")
    assert 'value="rejected" id="id_status_3" aria-invalid="true" checked' in mixed
    assert "aria-invalid" not in statuses("?status=rejected")
    assert "checked" not in statuses("?status=nonsense")


def test_it_answers_htmx_with_the_results_region_alone(author_client, workspace):
    make_decision(workspace, title="Use PostgreSQL")
    assert "Use PostgreSQL" in log(author_client)  # the region, now cached

    for _ in range(2):
        response = author_client.get("/?status=draft", headers={"HX-Request": "true"})
        region = response.content.decode()
        assert region.lstrip().startswith('<section id="results">')
        assert "Decisions, filtered" in region and "Use PostgreSQL" in region
        assert "<h1>" not in region


@pytest.mark.template_context
def test_it_reads_the_whole_content_from_one_cache_entry(author_client, workspace):
    make_decision(workspace, title="Use PostgreSQL")
    results = author_client.get("/").context["results"]
    page_key = make_template_fragment_key("log-page", [results.page_key])
    assert "Use PostgreSQL" in cache.get(page_key)

    # The inner regions' entries are dropped: the page, cached whole, still shows them.
    assert cache.delete(make_template_fragment_key("log-results", [results.key]))
    page = log(author_client)
    assert "Use PostgreSQL" in page and 'class="filter-fields"' in page
    assert cache.get(make_template_fragment_key("log-results", [results.key])) is None


@pytest.mark.template_context
def test_it_renders_the_content_each_time_text_is_typed(author_client, workspace):
    make_decision(workspace, title="Use PostgreSQL")
    for query in ["?q=kafka", "?owner=Dana", "?tag=storage"]:
        assert author_client.get(f"/{query}").context["results"].page_key == ""
    assert author_client.get("/?status=draft").context["results"].page_key != ""


def test_it_links_a_workspace_joined_since_the_page_was_cached(author_client, author, workspace):
    import_link = 'href="{}"'.format(reverse("imports:upload", args=["billing"]))
    assert import_link not in log(author_client)

    add_member(make_workspace("billing", "Billing"), author, "viewer")

    page = log(author_client)
    assert import_link in page and "Import into Billing" in page


def test_it_shows_the_last_page_for_a_page_past_it_and_the_first_for_no_number(
    author_client, workspace
):
    for i in range(55):
        make_decision(workspace, title=f"Decision {i}")

    past = author_client.get("/?page=9").content.decode()
    nonsense = author_client.get("/?page=last").content.decode()

    assert "Page 2 of 2 · 55 decisions" in past and "Decision 4<" in past
    assert "Page 1 of 2 · 55 decisions" in nonsense and "Decision 54<" in nonsense


def test_it_shows_when_each_decision_was_updated_and_is_due(author_client, workspace):
    decision = make_decision(workspace, review_by=timezone.localdate() + timedelta(days=3))
    updated = decision.updated_at.astimezone(timezone.get_current_timezone())

    row = log(author_client).split("Use PostgreSQL")[1].split("</tr>")[0]

    assert f'<time datetime="{updated.isoformat()}">{updated:%Y-%m-%d}</time>' in row
    assert f">{decision.review_by:%Y-%m-%d}</time>" in row
