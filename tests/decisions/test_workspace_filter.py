"""The workspace filter picks among the reader's workspaces and filters on the picked one's id."""

from django.contrib.auth.models import AnonymousUser

from apps.decisions.filters import FilterForm, member_workspaces
from apps.decisions.models import Decision
from apps.workspaces.models import Workspace

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


def test_it_reads_the_readers_workspaces_by_name_and_only_theirs(db):
    reader = make_user("rita")
    for slug, name in [("zeta", "Zeta"), ("alpha", "Alpha"), ("mid", "Middle")]:
        add_member(make_workspace(slug, name), reader, "viewer")
    make_workspace("secret", "Secret")
    Workspace.objects.filter(slug="mid").update(description="Middle things")

    workspaces = member_workspaces(reader)

    assert [(w.slug, w.name) for w in workspaces] == [
        ("alpha", "Alpha"),
        ("mid", "Middle"),
        ("zeta", "Zeta"),
    ]
    # Only the columns the lists need are read; any other is read when asked for.
    assert workspaces[1].description == "Middle things"


def test_it_offers_no_workspace_to_someone_signed_out(db):
    make_workspace("platform")

    assert member_workspaces(AnonymousUser()) == []
