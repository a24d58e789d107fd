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

import hashlib
import html
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from apps.core import markdown as markdown_module
from apps.core.markdown import render_markdown
from apps.decisions.models import Decision, Relation, Status, StatusChange
from apps.decisions.rendering import export_record
from apps.formats.record import RelationEntry
from apps.formats.writers import madr_body
from apps.search.graph import Graph, layout
from apps.workspaces.models import Workspace

from .models import RenderedBody

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
    rows: dict[str, SafeString] = field(default_factory=dict)

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
    records = []
    for decision in decisions:
        record = export_record(decision)
        record.status = decision.status  # the page says what Adroit says: "Accepted elsewhere"
        records.append(record)
    bodies = _bodies(workspace, [madr_body(record, link) for record in records])
    for i, (decision, record, body) in enumerate(zip(decisions, records, bodies, strict=True), 1):
        page = Page(
            decision,
            record,
            body,
            history.get(decision.pk, []),
            _neighbourhood(decision, by_pk, around),
        )
        pages.append(page)
        files[f"adr/{page.href}"] = decision_page.render(
            {**common, "page": page, "root": "../", "record": record, "decision": decision}
        ).encode()
        progress(i)

    for page in pages:
        page.rows = {root: _row(page, root) for root in ("", "../")}
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


# What the stored bodies were rendered by: a change to the renderer renders every body afresh.
RENDERER = hashlib.sha256(Path(markdown_module.__file__).read_bytes()).hexdigest()[:16]
LOOKUP_CHUNK = 500  # SQLite's limit on query parameters, with room to spare


def _key(text: str) -> str:
    return hashlib.sha256(f"{RENDERER}\x00{text}".encode()).hexdigest()


def _bodies(workspace: Workspace, texts: list[str]) -> list[SafeString]:
    """Each Markdown body as the decision page renders it (`record_html`: the one sanitising
    renderer, no images from elsewhere), reusing bodies rendered by an earlier build."""
    keys = [_key(text) for text in texts]
    stored: dict[str, str] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        rows = RenderedBody.objects.filter(workspace=workspace, key__in=chunk)
        stored.update(rows.values_list("key", "html"))
    fresh = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in stored and key not in fresh:
            fresh[key] = str(render_markdown(text))
    RenderedBody.objects.bulk_create(
        [RenderedBody(workspace=workspace, key=k, html=h) for k, h in fresh.items()],
        ignore_conflicts=True,
        batch_size=LOOKUP_CHUNK,
    )
    stored.update(fresh)
    # Bodies no decision renders any more (edited since) are never read again.
    if len(stored) < RenderedBody.objects.filter(workspace=workspace).count():
        _prune(workspace, set(stored))
    # Sanitised when rendered, by render_markdown, before it was stored.
    return [mark_safe(stored[key]) for key in keys]  # noqa: S308


def _row(page: Page, root: str) -> SafeString:
    """One decision's row of the lists: rendered once, shown on the index and its status and
    tag pages (a template per row and page took a third of a build)."""
    d, record = page.decision, page.record
    tags = format_html_join(" ", '<span class="tag">{}</span>', ((t,) for t in record.tags))
    return format_html(
        '<tr data-status="{}" data-tags="{}"><td class="ref">{}</td>'
        '<td><a href="{}adr/{}">{}</a></td>'
        '<td><span class="status status-{}">{}</span></td><td>{}</td><td>{}</td><td>{}</td></tr>',
        d.status,
        "|".join(t.lower() for t in record.tags),
        d.ref,
        root,
        page.href,
        d.title,
        d.status,
        d.get_status_display(),
        record.date,
        record.owner,
        tags,
    )


def _prune(workspace: Workspace, keep: set[str]) -> None:
    stale = [
        pk
        for pk, key in RenderedBody.objects.filter(workspace=workspace).values_list("pk", "key")
        if key not in keep
    ]
    for start in range(0, len(stale), LOOKUP_CHUNK):
        RenderedBody.objects.filter(pk__in=stale[start : start + LOOKUP_CHUNK]).delete()


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
