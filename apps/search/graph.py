"""The relation graph, laid out on the server and drawn as SVG (no JavaScript).

Older decisions stand left of those that supersede or amend them (columns by the longest chain of
such relations); relates-to and see-also links do not move anything. Each node links to its page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from apps.decisions.models import Decision, Relation

NODE_W, NODE_H = 230, 52
GAP_X, GAP_Y = 90, 26
MARGIN = 20
MAX_NODES = 150
# Relations that order decisions in time: the source is the newer one.
ORDERING = {"supersedes", "amends"}
STYLE = {
    "supersedes": {"stroke": "#b42318", "dash": "", "label": "supersedes"},
    "amends": {"stroke": "#9a5b00", "dash": "", "label": "amends"},
    "relates_to": {"stroke": "#1f5fbf", "dash": "6 4", "label": "relates to"},
    "see_also": {"stroke": "#5b6472", "dash": "2 4", "label": "see also"},
}


@dataclass
class Node:
    decision: Decision
    x: int = 0
    y: int = 0
    focus: bool = False

    @property
    def label(self) -> str:
        title = self.decision.title
        return title if len(title) <= 27 else title[:26] + "…"

    @property
    def cx(self) -> int:
        return self.x + NODE_W // 2

    @property
    def cy(self) -> int:
        return self.y + NODE_H // 2


@dataclass
class Edge:
    kind: str
    source: Node
    target: Node
    path: str = ""

    @property
    def style(self) -> dict:
        return STYLE[self.kind]


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    width: int = 0
    height: int = 0
    truncated: int = 0  # decisions left out to keep the drawing readable

    @property
    def legend(self) -> list[dict]:
        kinds = {e.kind for e in self.edges}
        return [{"kind": k, **STYLE[k]} for k in STYLE if k in kinds]


def _columns(ids: list[int], relations: list[Relation]) -> dict[int, int]:
    """Column of each decision: the length of the longest supersede/amend chain behind it."""
    older = defaultdict(set)
    for r in relations:
        if r.kind in ORDERING:
            older[r.source_id].add(r.target_id)
    column: dict[int, int] = {}

    def depth(pk: int, seen: frozenset) -> int:
        if pk in column:
            return column[pk]
        if pk in seen:  # a cycle typed by hand must not hang the page
            return 0
        behind = [depth(o, seen | {pk}) + 1 for o in older[pk] if o in known]
        column[pk] = max(behind, default=0)
        return column[pk]

    known = set(ids)
    for pk in ids:
        depth(pk, frozenset())
    return column


def layout(decisions: list[Decision], relations: list[Relation], focus: int | None = None) -> Graph:
    ids = [d.pk for d in decisions]
    by_pk = {d.pk: d for d in decisions}
    columns = _columns(ids, relations)
    stacks: dict[int, list[Decision]] = defaultdict(list)
    for d in sorted(decisions, key=lambda d: d.number):
        stacks[columns[d.pk]].append(d)
    nodes: dict[int, Node] = {}
    for col, stack in sorted(stacks.items()):
        for row, d in enumerate(stack):
            nodes[d.pk] = Node(
                d, MARGIN + col * (NODE_W + GAP_X), MARGIN + row * (NODE_H + GAP_Y), d.pk == focus
            )
    edges = []
    for r in relations:
        if r.source_id in nodes and r.target_id in nodes and r.source_id in by_pk:
            edge = Edge(r.kind, nodes[r.source_id], nodes[r.target_id])
            edge.path = _path(edge.source, edge.target)
            edges.append(edge)
    graph = Graph(list(nodes.values()), edges)
    if nodes:
        graph.width = max(n.x for n in nodes.values()) + NODE_W + MARGIN
        graph.height = max(n.y for n in nodes.values()) + NODE_H + MARGIN
    return graph


def _path(source: Node, target: Node) -> str:
    """From the source's side to the target's side; a curve when both sit in one column."""
    if source.x == target.x:
        x = source.x + NODE_W
        return f"M{x},{source.cy} C{x + 60},{source.cy} {x + 60},{target.cy} {x + 4},{target.cy}"
    if source.x > target.x:
        return f"M{source.x},{source.cy} L{target.x + NODE_W + 4},{target.cy}"
    return f"M{source.x + NODE_W},{source.cy} L{target.x - 4},{target.cy}"


def workspace_graph(workspace) -> Graph:
    """Every decision of the workspace that takes part in a relation."""
    relations = list(
        Relation.objects.filter(source__workspace=workspace).only("source_id", "target_id", "kind")
    )
    ids = {r.source_id for r in relations} | {r.target_id for r in relations}
    decisions = list(
        Decision.objects.filter(pk__in=ids)
        .only("pk", "number", "title", "status", "workspace_id")
        .order_by("-number")[:MAX_NODES]
    )
    for d in decisions:
        d.workspace = workspace
    graph = layout(decisions, relations)
    graph.truncated = max(len(ids) - len(decisions), 0)
    return graph


def neighbourhood(decision: Decision) -> Graph:
    """The decision and the decisions it relates to either way (one step)."""
    relations = list(
        Relation.objects.filter(Q(source=decision) | Q(target=decision)).only(
            "source_id", "target_id", "kind"
        )
    )
    ids = {r.source_id for r in relations} | {r.target_id for r in relations} | {decision.pk}
    others = (
        Decision.objects.filter(pk__in=ids - {decision.pk})
        .only("pk", "number", "title", "status", "workspace_id")
        .order_by("number")[:MAX_NODES]
    )
    decisions = [decision, *others]
    for d in decisions:
        d.workspace = decision.workspace
    return layout(decisions, relations, focus=decision.pk)
