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

Fast because little is done twice: each decision's page is kept between builds (`SitePage`,
keyed by what it shows, see `_kept_pages`), so a rebuild loads and renders only the decisions
that changed; the rest is strings joined into frames rendered once (docs/benchmarks.md).
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

from django.contrib.staticfiles import finders
from django.db.models import prefetch_related_objects
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

import apps
from apps.decisions import cache
from apps.decisions.models import Decision, Relation, Status, StatusChange
from apps.decisions.rendering import export_record
from apps.formats.record import RelationEntry
from apps.formats.writers import madr_body
from apps.search.graph import Graph, layout
from apps.workspaces.models import Workspace

from .bodies import render_bodies
from .models import SitePage, StoredBody

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
    """One decision as the site's lists, timeline and search index show it."""

    decision: Decision
    data: dict  # what its kept page says of it: tags, date, owner and searchable text
    history: list[StatusChange]
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
    """The decisions' rows with their page keys, not their records: a record is loaded only
    for a page that must be rendered again (`_kept_pages`)."""
    decisions = list(
        cache.with_page_key(Decision.objects.filter(workspace=workspace))
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


def _search_text(body: str) -> str:
    # Tags cut out by a regular expression, not an HTML parser: the body is our sanitiser's
    # output, and a parser took a third of the build.
    return WORDS.sub(" ", html.unescape(TAGS.sub(" ", body))).strip()[:INDEX_TEXT_CHARS]


def _search_entry(page: Page) -> dict:
    return {
        "n": page.decision.number,
        "ref": page.decision.ref,
        "title": page.decision.title,
        "status": page.decision.get_status_display(),
        "tags": page.data["tags"],
        "date": page.data["date"],
        "url": f"adr/{page.href}",
        "text": page.data["text"],
    }


def _asset(name: str) -> str:
    path = finders.find(name)
    if path is None:
        raise FileNotFoundError(f"static file {name} is missing")
    return Path(path).read_text(encoding="utf-8")


MARK = "\x00{}\x00"


def _render_around(name: str, context: dict, *names: str) -> list[str]:
    """A template rendered once with a marker for each of `names`, cut at the markers: the
    frame that the pieces of many pages are put into as strings."""
    marks = {n: mark_safe(MARK.format(n)) for n in names}  # noqa: S308 - our own markers
    text = get_template(f"publishing/site/{name}").render({**context, **marks})
    pieces = []
    for mark in marks.values():
        before, text = text.split(mark)
        pieces.append(before)
    return [*pieces, text]


def site_files(workspace: Workspace, progress: Progress = lambda done: None) -> dict[str, bytes]:
    """Every file of the site, by its path inside the folder."""
    decisions, relations, history = _load(workspace)
    by_pk = {d.pk: d for d in decisions}
    around: dict[int, list[Relation]] = defaultdict(list)
    for r in relations:
        if r.source_id in by_pk and r.target_id in by_pk:
            around[r.source_id].append(r)
            around[r.target_id].append(r)
    for d in decisions:
        d.site_href = page_name(d.number)

    kept = _kept_pages(workspace, decisions, by_pk, around)
    head, middle, tail = _render_around(
        "decision.html", {"workspace": workspace, "root": "../"}, "title", "content"
    )
    past_head, past_tail = _render_around("_history.html", {}, "items")
    pages: list[Page] = []
    files: dict[str, bytes] = {}
    common = {"workspace": workspace, "statuses": _statuses(decisions)}
    # Each page is strings joined: the frame, the kept part and its history, with no template
    # rendered for the page itself (1,000 of them took more than a second).
    for i, decision in enumerate(decisions, 1):
        stored, data = kept[decision.pk]
        page = Page(decision, data, history.get(decision.pk, []))
        pages.append(page)
        past = ""
        if page.history:
            items = "\n".join(f"    {_change_item(change)}" for change in page.history)
            past = f"{past_head}{items}{past_tail}"
        title = _e(f"{decision.ref} {decision.title}")
        files[f"adr/{page.href}"] = f"{head}{title}{middle}{stored}{past}{tail}".encode()
        progress(i)

    for page in pages:
        page.rows = {root: _row(page, root) for root in ("", "../")}

    def rows(chosen: list[Page], root: str) -> SafeString:
        # Escaped by _row.
        return mark_safe("\n  ".join(p.rows[root] for p in chosen))  # noqa: S308

    tags: dict[str, list[Page]] = defaultdict(list)
    for page in pages:
        for tag in page.data["tags"]:
            tags[tag].append(page)
    tag_list = [
        {"name": name, "slug": _tag_slug(name), "pages": tags[name]}
        for name in sorted(tags, key=str.lower)
    ]
    _unique_slugs(tag_list)
    newest_first = sorted(pages, key=lambda p: -p.decision.number)
    context = {**common, "pages": newest_first, "tags": tag_list, "root": ""}
    files["index.html"] = _render("index.html", {**context, "rows": rows(newest_first, "")})
    for status in common["statuses"]:
        chosen = [p for p in newest_first if p.decision.status == status["value"]]
        files[f"status/{status['value']}.html"] = _render(
            "listing.html",
            {
                **context,
                "root": "../",
                "pages": chosen,
                "rows": rows(chosen, "../"),
                "heading": f"Status: {status['label']}",
            },
        )
    for tag in tag_list:
        files[f"tags/{tag['slug']}.html"] = _render(
            "listing.html",
            {
                **context,
                "root": "../",
                "pages": tag["pages"],
                "rows": rows(tag["pages"], "../"),
                "heading": f"Tag: {tag['name']}",
            },
        )

    graph = layout(
        [d for d in decisions if around.get(d.pk)],
        [r for r in relations if r.source_id in by_pk and r.target_id in by_pk],
    )
    files["graph.html"] = _render("graph.html", {**context, "graph": graph})
    # Escaped by _timeline.
    events = mark_safe(_timeline(pages))  # noqa: S308
    files["timeline.html"] = _render("timeline.html", {**context, "events": events})
    files["search.html"] = _render("search.html", context)

    index = [_search_entry(p) for p in pages]
    data = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    files["assets/search-index.json"] = data.encode()
    # A script, not a fetch: Chromium and Firefox refuse fetch() and XHR of file:// URLs.
    files["assets/search-index.js"] = f"window.ADROIT_SEARCH_INDEX = {data};\n".encode()
    files["assets/site.css"] = "\n".join(_asset(name) for name in STYLESHEETS).encode()
    files["assets/site.js"] = _asset(SCRIPT).encode()
    return files


# A kept page is read for as long as the app's own page cache keeps a rendering (a day): an
# edit that bypasses the decision's row (a scenario changed alone in the admin) shows by then.
KEEP = timedelta(seconds=cache.TIMEOUT)
CHUNK = 500  # rows deleted or inserted per query: SQLite's limit on parameters, with room
KEPT_TEMPLATE = "publishing/site/_decision.html"
GRAPH_TEMPLATE = "search/_graph.svg.html"


@functools.cache
def _code_stamp() -> str:
    """What renders a kept page besides the decision's own rows: the code of the record, its
    writers, the sanitising renderer and the graph, this module, the kept page's templates and
    the libraries. A release that changes any of them renders every page afresh."""
    root = Path(apps.__file__).parent
    sources = sorted(
        path
        for folder in ("core", "formats", "decisions", "search")
        for path in (root / folder).glob("*.py")
    )
    sources += [Path(__file__)]
    sources += [Path(get_template(name).origin.name) for name in (KEPT_TEMPLATE, GRAPH_TEMPLATE)]
    digest = hashlib.sha256()
    for path in sources:
        digest.update(path.read_bytes())
    for library in ("Django", "Markdown", "nh3"):
        digest.update(version(library).encode())
    return digest.hexdigest()


def _key(decision: Decision, workspace: Workspace) -> str:
    parts = (_code_stamp(), cache.page_key(decision), workspace.name)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _kept_pages(
    workspace: Workspace,
    decisions: list[Decision],
    by_pk: dict[int, Decision],
    around: dict[int, list[Relation]],
) -> dict[int, tuple[str, dict]]:
    """Each decision's page (but its history) and data: as the last build kept it where the
    decision's key is the same, else rendered now and kept. Rows no decision's key names any
    more (the decision changed since) or kept too long are dropped."""
    keys = {d.pk: _key(d, workspace) for d in decisions}
    wanted = set(keys.values())
    since = timezone.now() - KEEP
    kept: dict[str, tuple[str, dict]] = {}
    stale = []
    rows = SitePage.objects.filter(workspace=workspace).values_list(
        "pk", "key", "html", "data", "created_at"
    )
    for pk, key, stored, data, created_at in rows:
        if key in wanted and created_at >= since:
            kept[key] = (stored, data)
        else:
            stale.append(pk)
    missing = [d for d in decisions if keys[d.pk] not in kept]
    made = _render_pages(workspace, missing, by_pk, around)
    for start in range(0, len(stale), CHUNK):
        SitePage.objects.filter(pk__in=stale[start : start + CHUNK]).delete()
    SitePage.objects.bulk_create(
        [
            SitePage(workspace=workspace, key=keys[pk], html=stored, data=data)
            for pk, (stored, data) in made.items()
        ],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
    kept.update((keys[pk], page) for pk, page in made.items())
    return {pk: kept[key] for pk, key in keys.items()}


def _body_key(decision: Decision) -> str:
    """The key of a decision revision's body: its page key (its row's revision and the decisions
    related to it, whose titles its links show), its row's own values and the rendering code.
    The values, because a stored body is kept for good (not a day, as a page is): a change
    written straight to the row, moving no revision, still misses it."""
    row = repr([getattr(decision, f.attname) for f in Decision._meta.concrete_fields])
    parts = (_code_stamp(), cache.page_key(decision), row)
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _facts(record, body: str) -> dict:
    """What the page's header, the lists and the search index show of a record besides its body:
    with them, a stored body needs no record loaded."""
    return {
        "owner": record.owner,
        "date": record.date,
        "decision_makers": list(record.decision_makers),
        "consulted": list(record.consulted),
        "informed": list(record.informed),
        "tags": list(record.tags),
        "open": [c.title for c in record.open_considerations()],
        "text": _search_text(body),
    }


def _bodies(decisions: list[Decision], known: set[int]) -> dict[int, tuple[str, dict]]:
    """Each decision's body and facts (decisions loaded by `_load`): as stored for its revision,
    else rendered from its record now and stored, so that no revision is rendered twice."""
    keys = {d.pk: _body_key(d) for d in decisions}
    found: dict[int, tuple[str, dict]] = {}
    for start in range(0, len(decisions), CHUNK):
        share = [d.pk for d in decisions[start : start + CHUNK]]
        stored = StoredBody.objects.filter(decision_id__in=share).values_list(
            "decision_id", "key", "html", "facts"
        )
        for pk, key, body, facts in stored:
            if keys[pk] == key:
                found[pk] = (body, facts)
    missing = [d for d in decisions if d.pk not in found]
    if not missing:
        return found
    # The records of these decisions only, in a fixed number of queries however many.
    prefetch_related_objects(missing, *Decision.objects.with_record()._prefetch_related_lookups)
    records = []
    for decision in missing:
        record = export_record(decision)
        record.status = decision.status  # the page says what Adroit says: "Accepted elsewhere"
        records.append(record)
    link = _relative_link(known)
    bodies, _ = render_bodies([madr_body(record, link) for record in records])
    made = {
        d.pk: (str(body), _facts(r, body))
        for d, r, body in zip(missing, records, bodies, strict=True)
    }
    # Older revisions' bodies are never read again.
    StoredBody.objects.filter(decision_id__in=list(made)).exclude(
        key__in=[keys[pk] for pk in made]
    ).delete()
    StoredBody.objects.bulk_create(
        [
            StoredBody(decision_id=pk, key=keys[pk], html=body, facts=facts)
            for pk, (body, facts) in made.items()
        ],
        ignore_conflicts=True,
        batch_size=CHUNK,
    )
    return {**found, **made}


def store_bodies(decision_ids: list[int]) -> None:
    """Render and store the bodies of these decisions' current revisions where none is stored:
    the app calls it when it saves a revision (`receivers.py`), so that a site build finds it."""
    decisions = list(
        cache.with_page_key(Decision.objects.filter(pk__in=decision_ids)).select_related("source")
    )
    by_workspace: dict[int, list[Decision]] = defaultdict(list)
    for d in decisions:
        by_workspace[d.workspace_id].append(d)
    for workspace_id, chosen in by_workspace.items():
        known = set(
            Decision.objects.filter(workspace_id=workspace_id).values_list("number", flat=True)
        )
        _bodies(chosen, known)


def _render_pages(
    workspace: Workspace,
    decisions: list[Decision],
    by_pk: dict[int, Decision],
    around: dict[int, list[Relation]],
) -> dict[int, tuple[str, dict]]:
    """The pages of `decisions` (loaded by `_load`), from their stored or rendered bodies."""
    if not decisions:
        return {}
    bodies = _bodies(decisions, {d.number for d in by_pk.values()})
    template = get_template(KEPT_TEMPLATE)
    made = {}
    for decision in decisions:
        body, facts = bodies[decision.pk]
        # The template reads these as it read the record's own fields.
        record = {**facts, "open_considerations": [{"title": t} for t in facts["open"]]}
        page = {"body": mark_safe(body), "graph": _neighbourhood(decision, by_pk, around)}  # noqa: S308 - sanitised by render_markdown
        stored = template.render(
            {"workspace": workspace, "decision": decision, "record": record, "page": page}
        )
        data = {k: facts[k] for k in ("tags", "date", "owner", "text")}
        made[decision.pk] = (stored, data)
    return made


def _row(page: Page, root: str) -> str:
    """One decision's row of the lists: rendered once, shown on the index and its status and
    tag pages (a template per row and page took a third of a build)."""
    d, data = page.decision, page.data
    tags = " ".join(f'<span class="tag">{_e(t)}</span>' for t in data["tags"])
    filters = _e("|".join(t.lower() for t in data["tags"]))
    link = f'<a href="{root}adr/{page.href}">{_e(d.title)}</a>'
    return (
        f'<tr data-status="{_e(d.status)}" data-tags="{filters}">'
        f'<td class="ref">{_e(d.ref)}</td><td>{link}</td>'
        f'<td><span class="status status-{_e(d.status)}">{_e(d.get_status_display())}</span></td>'
        f"<td>{_e(data['date'])}</td><td>{_e(data['owner'])}</td><td>{tags}</td></tr>"
    )


def _e(value: object) -> str:
    """Escaped as the template engine escapes (django.utils.html.escape is this, made lazy and
    safe, at several times the cost over the thousands of values of a site)."""
    return html.escape(str(value))


def _when(at) -> str:
    """A time as the pages print it, in the site's time zone as the `date` filter would."""
    local = timezone.template_localtime(at)
    return f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time>'


def _person(user) -> str:
    return user.get_full_name() or user.username


def _move(change: StatusChange) -> str:
    shown = _e(change.get_to_status_display())
    to = f'<span class="status status-{_e(change.to_status)}">{shown}</span>'
    return f"{_e(change.get_from_status_display())} → {to}"


def _who_and_why(change: StatusChange) -> list[str]:
    said = []
    if change.by:
        said.append(f'<span class="muted">by {_e(_person(change.by))}</span>')
    if change.reason:
        said.append(f'<span class="muted">· {_e(change.reason)}</span>')
    return said


def _change_item(change: StatusChange) -> str:
    """One line of a decision page's status history."""
    return f"<li>{' '.join([_when(change.at), _move(change), *_who_and_why(change)])}</li>"


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


def _timeline(pages: list[Page]) -> str:
    """Each decision's start and every status change, newest first, as the app's timeline."""
    events = []
    for page in pages:
        d = page.decision
        link = f'<a href="adr/{page.href}">{_e(d.ref)} {_e(d.title)}</a>'
        events.append((d.created_at, d.number, f"{_when(d.created_at)} {link} started"))
        for change in page.history:
            move = _move(change) if change.from_status else "started"
            said = " ".join([_when(change.at), link, move, *_who_and_why(change)])
            events.append((change.at, d.number, said))
    events.sort(key=lambda e: (e[0], e[1]), reverse=True)
    return "\n".join(f"  <li>{said}</li>" for _, _, said in events)


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
