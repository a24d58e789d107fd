"""The relation graph: server-drawn SVG, each node a link, on its page and beside a decision."""

import re

from apps.decisions.models import Relation
from apps.search.graph import neighbourhood, workspace_graph

from ..factories import make_decision


def relate(source, kind, target):
    return Relation.objects.create(source=source, target=target, kind=kind)


def test_it_draws_older_decisions_left_of_those_that_supersede_them(workspace):
    old = make_decision(workspace, "Use MySQL")
    new = make_decision(workspace, "Use PostgreSQL")
    newer = make_decision(workspace, "Amend the PostgreSQL decision")
    aside = make_decision(workspace, "Backups")
    relate(new, "supersedes", old)
    relate(newer, "amends", new)
    relate(aside, "see_also", new)

    graph = workspace_graph(workspace)
    x = {n.decision.title: n.x for n in graph.nodes}

    assert x["Use MySQL"] < x["Use PostgreSQL"] < x["Amend the PostgreSQL decision"]
    assert x["Backups"] == x["Use MySQL"]  # see-also moves nothing
    assert sorted(e.kind for e in graph.edges) == ["amends", "see_also", "supersedes"]


def test_it_survives_a_cycle_typed_by_hand(workspace):
    a, b = make_decision(workspace, "A"), make_decision(workspace, "B")
    relate(a, "supersedes", b)
    relate(b, "supersedes", a)

    assert len(workspace_graph(workspace).nodes) == 2


def test_it_links_each_node_and_escapes_titles_on_the_page(author_client, workspace):
    old = make_decision(workspace, "<script>alert(1)</script>")
    new = make_decision(workspace, "New")
    relate(new, "supersedes", old)

    page = author_client.get("/w/team/graph/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]

    assert '<a href="/w/team/1/">' in svg and '<a href="/w/team/2/">' in svg
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "supersedes" in page


def test_it_shows_a_decisions_neighbourhood_on_its_page(author_client, workspace):
    centre = make_decision(workspace, "Centre")
    near = make_decision(workspace, "Near")
    far = make_decision(workspace, "Far")
    relate(centre, "relates_to", near)
    relate(near, "relates_to", far)

    assert {n.decision.title for n in neighbourhood(centre).nodes} == {"Centre", "Near"}
    page = author_client.get("/w/team/1/").content.decode()
    section = page[page.index('class="neighbourhood"') :]
    assert re.search(r'class="node node-draft focus"', section)
    assert '<a href="/w/team/2/">' in section and "/w/team/3/" not in section


def test_it_says_when_nothing_relates_yet(author_client, workspace):
    make_decision(workspace, "Alone")

    page = author_client.get("/w/team/graph/").content.decode()
    assert "No decision in this workspace relates to another yet." in page
    assert 'class="neighbourhood"' not in author_client.get("/w/team/1/").content.decode()
