"""The workspace filter picks among the reader's workspaces and filters on the picked one's id."""

from apps.decisions.filters import FilterForm
from apps.decisions.models import Decision

from ..factories import add_member, make_decision, make_user, make_workspace


def test_it_filters_on_the_workspace_id_without_joining_workspaces(db):
    platform, payments = make_workspace("platform"), make_workspace("payments")
    make_decision(platform, title="Pick a broker")
    make_decision(payments, title="Pick a ledger")
    form = FilterForm({"workspace": "payments"}, workspaces=[platform, payments])

    chosen = form.apply(Decision.objects.order_by("pk"))

    # Through a join on the slug, PostgreSQL read the log's index from the first workspace on.
    assert "workspaces_workspace" not in str(chosen.query)
    assert [d.title for d in chosen] == ["Pick a ledger"]


def test_it_shows_only_the_picked_workspace_in_the_log(client, db):
    reader = make_user("rita")
    platform, payments = make_workspace("platform"), make_workspace("payments")
    add_member(platform, reader, "viewer")
    add_member(payments, reader, "viewer")
    make_decision(platform, title="Pick a broker")
    make_decision(payments, title="Pick a ledger")
    client.force_login(reader)

    page = client.get("/?workspace=payments").content.decode()

    assert "Pick a ledger" in page and "Pick a broker" not in page


def test_it_ignores_a_workspace_the_reader_is_not_a_member_of(client, db):
    reader = make_user("rita")
    platform = make_workspace("platform")
    add_member(platform, reader, "viewer")
    make_decision(platform, title="Pick a broker")
    make_decision(make_workspace("secret"), title="Buy the secret vendor")
    client.force_login(reader)

    page = client.get("/?workspace=secret").content.decode()

    assert "Buy the secret vendor" not in page and "Pick a broker" in page
