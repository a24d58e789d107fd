"""The log as a static site: a folder of HTML that works from disk, offline, with no server.

    files = site_files(workspace)              # {"index.html": b"...", "adr/0007.html": ...}
    write_site(workspace, Path("site"))        # the same, into a folder
    site_zip(workspace, progress)              # the same, as one zip

What is in it: `index.html` (the log, with plain status and tag lists that work without
JavaScript; `assets/site.js` adds filtering in place), one page per decision under `adr/` (the
body rendered by the decision page's own `record_html`, its status history and the graph of its
neighbours), `graph.html` (the workspace's relation graph, laid out by `apps/search/graph.py`),
`timeline.html`, and `search.html`, which searches `assets/search-index.js` (a prebuilt JSON
index, loaded as a script because browsers refuse to fetch files from `file://`).

Every link is relative and every page carries a Content-Security-Policy that allows nothing but
the folder's own files, so opening it never makes a request elsewhere. The same decisions give
the same bytes: the site can be committed and diffed.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.utils.text import slugify

from apps.decisions.models import Decision, Relation, Status, StatusChange
from apps.decisions.rendering import export_record, record_html
from apps.formats.record import RelationEntry
from apps.search.graph import Graph, layout
from apps.workspaces.models import Workspace

Progress = Callable[[int], None]

# Styles: the app's own stylesheet, then the site's few additions. Scripts: ours, no library.
STYLESHEETS = ("css/app.css", "publishing/site.css")
SCRIPT = "publishing/site.js"
# A decision's searchable text is cut here: the index of 1,000 decisions stays a few MB.
INDEX_TEXT_CHARS = 4000
WORDS = re.compile(r"\s+")
TAGS = re.compile(r"<[^>]*>")


@dataclass
class Page:
    """One decision as the site shows it."""

    decision: Decision
    record: object
    body: str
    history: list[StatusChange]
    graph: Graph | None

    @property
    def href(self) -> str:
        return page_name(self.decision.number)


def page_name(number: int) -> str:
    return f"{number:04d}.html"


def _relative_link(known: set[int]) -> Callable[[RelationEntry], str]:
    """Relations to decisions of the site point at their pages, beside this one in `adr/`."""

    def link(relation: RelationEntry) -> str:
        if relation.number in known:
            return page_name(relation.number)
        return relation.target

    return link


def _tag_slug(tag: str) -> str:
    return slugify(tag) or "tag"


def _load(workspace: Workspace) -> tuple[list[Decision], list[Relation], dict[int, list]]:
    decisions = list(
        Decision.objects.filter(workspace=workspace)
        .with_record()
        .select_related("source")
        .order_by("number")
    )
    for d in decisions:
        d.workspace = workspace
    relations = list(
        Relation.objects.filter(source__workspace=workspace).only("source_id", "target_id", "kind")
    )
    history: dict[int, list[StatusChange]] = defaultdict(list)
    changes = (
        StatusChange.objects.filter(decision__workspace=workspace)
        .select_related("by")
        .order_by("at", "id")
    )
    for change in changes:
        history[change.decision_id].append(change)
    return decisions, relations, history


def _neighbourhood(
    decision: Decision, by_pk: dict[int, Decision], around: dict[int, list[Relation]]
) -> Graph | None:
    """As `apps.search.graph.neighbourhood` draws it, from rows already loaded."""
    relations = around.get(decision.pk, [])
    if not relations:
        return None
    ids = {r.source_id for r in relations} | {r.target_id for r in relations}
    others = sorted((by_pk[i] for i in ids - {decision.pk} if i in by_pk), key=lambda d: d.number)
    return layout([decision, *others], relations, focus=decision.pk)


def _search_entry(page: Page) -> dict:
    record = page.record
    # Tags cut out by a regular expression, not an HTML parser: the body is our sanitiser's
    # output, and a parser took a third of the build.
    text = WORDS.sub(" ", html.unescape(TAGS.sub(" ", str(page.body)))).strip()[:INDEX_TEXT_CHARS]
    return {
        "n": page.decision.number,
        "ref": page.decision.ref,
        "title": page.decision.title,
        "status": page.decision.get_status_display(),
        "tags": list(record.tags),
        "date": record.date,
        "url": f"adr/{page.href}",
        "text": text,
    }


def _asset(name: str) -> str:
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(f"static file {name} is missing")
    return Path(path).read_text(encoding="utf-8")


def site_files(workspace: Workspace, progress: Progress = lambda done: None) -> dict[str, bytes]:
    """Every file of the site, by its path inside the folder."""
    decisions, relations, history = _load(workspace)
    by_pk = {d.pk: d for d in decisions}
    known = {d.number for d in decisions}
    around: dict[int, list[Relation]] = defaultdict(list)
    for r in relations:
        if r.source_id in by_pk and r.target_id in by_pk:
            around[r.source_id].append(r)
            around[r.target_id].append(r)
    for d in decisions:
        d.site_href = page_name(d.number)

    link = _relative_link(known)
    pages: list[Page] = []
    decision_page = get_template("publishing/site/decision.html")
    files: dict[str, bytes] = {}
    common = {"workspace": workspace, "statuses": _statuses(decisions)}
    for i, decision in enumerate(decisions, start=1):
        record = export_record(decision)
        record.status = decision.status  # the page says what Adroit says: "Accepted elsewhere"
        page = Page(
            decision,
            record,
            record_html(record, link),
            history.get(decision.pk, []),
            _neighbourhood(decision, by_pk, around),
        )
        pages.append(page)
        files[f"adr/{page.href}"] = decision_page.render(
            {**common, "page": page, "root": "../", "record": record, "decision": decision}
        ).encode()
        progress(i)

    tags: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        for tag in page.record.tags:
            tags[tag].append(page)
    tag_list = [
        {"name": name, "slug": _tag_slug(name), "pages": tags[name]}
        for name in sorted(tags, key=str.lower)
    ]
    _unique_slugs(tag_list)
    newest_first = sorted(pages, key=lambda p: -p.decision.number)
    context = {**common, "pages": newest_first, "tags": tag_list, "root": ""}
    files["index.html"] = _render("index.html", context)
    for status in common["statuses"]:
        chosen = [p for p in newest_first if p.decision.status == status["value"]]
        files[f"status/{status['value']}.html"] = _render(
            "listing.html",
            {**context, "root": "../", "pages": chosen, "heading": f"Status: {status['label']}"},
        )
    for tag in tag_list:
        files[f"tags/{tag['slug']}.html"] = _render(
            "listing.html",
            {**context, "root": "../", "pages": tag["pages"], "heading": f"Tag: {tag['name']}"},
        )

    graph = layout(
        [d for d in decisions if around.get(d.pk)],
        [r for r in relations if r.source_id in by_pk and r.target_id in by_pk],
    )
    files["graph.html"] = _render("graph.html", {**context, "graph": graph})
    files["timeline.html"] = _render("timeline.html", {**context, "events": _timeline(pages)})
    files["search.html"] = _render("search.html", context)

    index = [_search_entry(p) for p in pages]
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    files["assets/search-index.json"] = data.encode()
    # A script, not a fetch: Chromium and Firefox refuse fetch() and XHR of file:// URLs.
    files["assets/search-index.js"] = f"window.ADROIT_SEARCH_INDEX = {data};\n".encode()
    files["assets/site.css"] = "\n".join(_asset(name) for name in STYLESHEETS).encode()
    files["assets/site.js"] = _asset(SCRIPT).encode()
    return files


def _render(name: str, context: dict) -> bytes:
    return get_template(f"publishing/site/{name}").render(context).encode()


def _statuses(decisions: list[Decision]) -> list[dict]:
    present = {d.status for d in decisions}
    counts = defaultdict(int)
    for d in decisions:
        counts[d.status] += 1
    return [
        {"value": value, "label": label, "count": counts[value]}
        for value, label in Status.choices
        if value in present
    ]


def _unique_slugs(tags: list[dict]) -> None:
    """Two tags that slug alike ("API", "api ") get distinct file names."""
    used: set[str] = set()
    for tag in tags:
        slug, n = tag["slug"], 1
        while slug in used:
            n += 1
            slug = f"{tag['slug']}-{n}"
        tag["slug"] = slug
        used.add(slug)


def _timeline(pages: list[Page]) -> list[dict]:
    """Each decision's start and every status change, newest first, as the app's timeline."""
    events = []
    for page in pages:
        d = page.decision
        events.append({"page": page, "at": d.created_at, "from": "", "to": "draft", "by": None})
        for change in page.history:
            events.append(
                {
                    "page": page,
                    "at": change.at,
                    "from": change.get_from_status_display() if change.from_status else "",
                    "to": change.get_to_status_display(),
                    "to_value": change.to_status,
                    "by": change.by,
                    "reason": change.reason,
                }
            )
    events.sort(key=lambda e: (e["at"], e["page"].decision.number), reverse=True)
    return events


def write_site(workspace: Workspace, out: Path) -> list[Path]:
    """The site into `out` (created if need be); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in site_files(workspace).items():
        path = out.joinpath(*name.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.append(path)
    return written


def site_zip(workspace: Workspace, progress: Progress = lambda done: None) -> bytes:
    """The site as one zip whose files sit in a folder named after the workspace."""
    buffer = io.BytesIO()
    folder = f"{workspace.slug}-site"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in sorted(site_files(workspace, progress).items()):
            archive.writestr(f"{folder}/{name}", body)
    return buffer.getvalue()
