"""The log's rows come from the cache (apps/decisions/listing.py), never stale, never another's.

Each test reads the log once (so its rows are cached), changes one thing a row shows the way
the app or the database can change it, and reads again.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from apps.decisions.listing import _row_key, log_rows, log_values
from apps.decisions.models import Decision, Status, Tag

from ..factories import add_member, make_decision, make_user, make_workspace


def log(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_renders_each_row_once_then_reads_it_from_the_cache(author_client, workspace):
    made = [make_decision(workspace, title=f"Decision {i}") for i in range(3)]
    assert "Decision 2" in log(author_client)

    rows = list(log_values(Decision.objects.filter(pk__in=[d.pk for d in made])))
    keys = [_row_key(row, show_workspace=False, overdue=False) for row in rows]
    cached = cache.get_many(keys)
    assert len(cached) == 3
    assert all("<tr>" in html for html in cached.values())
    assert log_rows(rows, show_workspace=False) == [cached[k] for k in keys]


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
