"""Pushing accepted decisions to the workspace's repository, and pulling the engineers' edits.

Each side's change is judged per file against `SyncedFile`, the hash of the text both sides
agreed on at the last sync:

* push: each decision's file (the folder export's own text: an untouched imported file byte for
  byte, at its own path) and the index are written, committed with the approver as author, and
  pushed. A push refused because the branch moved is followed by a pull and tried again; never
  forced.
* pull: a file that changed in git while Adroit's text did not makes the decision a draft with
  the file's text; a file that changed on both sides makes it a draft that keeps Adroit's text
  and shows git's beside it; a new file becomes a new decision through the importer. Nothing is
  deleted on either side: a file removed in git leaves its decision, and is listed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from apps.activity.events import record_event
from apps.decisions.building import link_relations, save_record
from apps.decisions.models import Decision, FreeSection, SourceFile, Status
from apps.decisions.rendering import (
    decision_markdown,
    entry_of,
    export_record,
    family_of,
    folder_paths,
    remember_imports,
    safe_path,
    source_of,
)
from apps.exports.packs import INDEX_NAMES, folder_index, is_our_index
from apps.formats.readers import ReadError, read_bytes
from apps.imports.importing import NOT_ADR, apply, deduplicate, fit, make_plan

from .git import Git, PushRejected, working_copy
from .models import Repository, SyncedFile, SyncEvent, sha256_of

logger = logging.getLogger("adroit.publishing")

MARKDOWN = (".md", ".mdx", ".markdown")
# Decisions whose file belongs in the repository even before they have been synced once.
PUBLISHED = {
    Status.ACCEPTED,
    Status.REJECTED,
    Status.DEPRECATED,
    Status.SUPERSEDED,
    Status.ELSEWHERE,
}
PUSH_ATTEMPTS = 3
COMMITTER = ("Adroit", "adroit@localhost")
NAME_CHARS = re.compile(r"[<>\n\r\x00]")


@dataclass
class Outcome:
    """What one sync did, for the page's message and the command's output."""

    pushed: list[str] = field(default_factory=list)
    commit: str = ""
    new: int = 0
    updated: int = 0
    conflicts: int = 0
    removed: int = 0
    refused: int = 0

    def __str__(self) -> str:
        parts = []
        if self.pushed:
            parts.append(f"pushed {len(self.pushed)} file(s) in {self.commit[:10]}")
        for count, what in (
            (self.new, "new decision(s)"),
            (self.updated, "decision(s) changed in git, now drafts"),
            (self.conflicts, "conflict(s), drafts with both texts"),
            (self.removed, "file(s) removed in git"),
            (self.refused, "file(s) that could not be read"),
        ):
            if count:
                parts.append(f"{count} {what}")
        return "; ".join(parts) or "already in step"


# --- what Adroit would write -----------------------------------------------------------------


class Folder:
    """The workspace's decisions as files of the repository's folder, in its format."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.decisions = list(
            Decision.objects.filter(workspace=repo.workspace)
            .with_record()
            .select_related("source")
            .order_by("number")
        )
        self.by_pk = {d.pk: d for d in self.decisions}
        # A file that came from git (or an import) keeps its path and its own dialect; the
        # others are named in the repository's format, clear of those paths.
        own: dict[int, str] = {}
        for d in self.decisions:
            source = source_of(d)
            if source is not None and safe_path(source.path):
                if source.path.lower() not in {p.lower() for p in own.values()}:
                    own[d.number] = source.path
        rest = [entry_of(d) for d in self.decisions if d.number not in own]
        self.paths = {**own, **folder_paths(rest, repo.format, taken=set(own.values()))}
        self.synced = {f.path: f for f in SyncedFile.objects.filter(repository=repo)}
        self.synced_by_decision = {f.decision_id: f for f in self.synced.values() if f.decision_id}

    def path_of(self, decision: Decision) -> str:
        return self.paths[decision.number]

    def text_of(self, decision: Decision) -> str:
        source = source_of(decision)
        fmt = (family_of(source.dialect) if source else None) or self.repo.format
        return decision_markdown(decision, fmt, self.paths)[1]

    def published(self) -> list[Decision]:
        return [
            d for d in self.decisions if d.status in PUBLISHED or d.pk in self.synced_by_decision
        ]

    def index(self, taken: set[str], foreign) -> tuple[str, str] | None:
        entries = [(export_record(d), self.path_of(d)) for d in self.published()]
        lowered = {p.lower() for p in taken}
        for name in INDEX_NAMES:
            if name.lower() not in lowered and not foreign(name):
                return name, folder_index(entries, self.repo.format)
        return None


def _author(user) -> tuple[str, str]:
    if user is None:
        return COMMITTER
    name = NAME_CHARS.sub("", user.get_full_name() or user.get_username()) or "Adroit"
    email = NAME_CHARS.sub("", user.email or f"{user.get_username()}@adroit.invalid")
    return name, email


def _commit(git: Git, paths: list[str], removed: list[str], message: str, author) -> str:
    name, email = _author(author)
    for path in removed:
        git.run("rm", "--quiet", "--cached", "--ignore-unmatch", "--", path)
    if paths:
        git.run("add", "--", *paths)
    git.run(
        "-c",
        f"user.name={COMMITTER[0]}",
        "-c",
        f"user.email={COMMITTER[1]}",
        "commit",
        "--quiet",
        "--no-verify",
        f"--author={name} <{email}>",
        "-m",
        message,
    )
    return git.run("rev-parse", "HEAD").strip()


def _write(git: Git, repo: Repository, folder: Folder, decisions: list[Decision]) -> tuple:
    """Write the decisions' files and the index into the working copy; the paths that changed,
    the paths to remove (a decision's old name), and what each decision's file now holds."""
    root = git.workdir
    changed, removed, written = [], [], {}
    for decision in decisions:
        rel = folder.path_of(decision)
        if not safe_path(rel):
            continue
        text = folder.text_of(decision)
        path = root / (repo.prefix + rel)
        if not path.is_file() or path.read_text(encoding="utf-8", errors="replace") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(repo.prefix + rel)
        written[rel] = (decision, text)
        old = folder.synced_by_decision.get(decision.pk)
        if old is not None and old.path != rel and (root / (repo.prefix + old.path)).is_file():
            (root / (repo.prefix + old.path)).unlink()
            removed.append(repo.prefix + old.path)

    def foreign(name: str) -> bool:
        path = root / (repo.prefix + name)
        return path.is_file() and not is_our_index(path.read_text(errors="replace"))

    # The index follows the decisions: it alone changing (a status moved in Adroit) is no
    # reason for a commit of its own.
    index = folder.index(set(folder.paths.values()), foreign) if changed or removed else None
    if index is not None:
        name, text = index
        path = root / (repo.prefix + name)
        if not path.is_file() or path.read_text(encoding="utf-8", errors="replace") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            changed.append(repo.prefix + name)
    return changed, removed, written


def _remember(repo: Repository, written: dict, commit: str, removed: list[str]) -> None:
    gone = [p.removeprefix(repo.prefix) for p in removed]
    SyncedFile.objects.filter(repository=repo, path__in=gone).delete()
    for rel, (decision, text) in written.items():
        SyncedFile.objects.update_or_create(
            repository=repo,
            path=rel,
            defaults={"decision": decision, "sha256": sha256_of(text), "commit": commit},
        )


def push(
    repo: Repository, decision_ids: list[int] | None = None, by=None, message: str = ""
) -> Outcome:
    """Commit and push the given decisions' files and the index (None: every published decision
    whose file differs from the last sync). A refused push pulls, then tries again."""
    outcome = Outcome()
    with working_copy(repo.url, repo.branch, repo.auth()) as (git, _empty):
        for attempt in range(1, PUSH_ATTEMPTS + 1):
            folder = Folder(repo)
            if decision_ids is None:
                chosen = [
                    d
                    for d in folder.published()
                    if sha256_of(folder.text_of(d))
                    != getattr(folder.synced_by_decision.get(d.pk), "sha256", None)
                ]
            else:
                chosen = [folder.by_pk[pk] for pk in decision_ids if pk in folder.by_pk]
            changed, removed, written = _write(git, repo, folder, chosen)
            if not changed and not removed:
                _remember(repo, written, repo.last_commit, [])
                return outcome
            subject = message or f"Adroit: publish {len(chosen)} decision(s)"
            commit = _commit(git, changed, removed, subject, by)
            try:
                git.run("push", "--quiet", "origin", f"HEAD:refs/heads/{repo.branch}")
            except PushRejected:
                if attempt == PUSH_ATTEMPTS:
                    raise
                logger.info("Push to %s refused (attempt %s): pulling first", repo, attempt)
                outcome_pull = pull(repo)
                outcome.new += outcome_pull.new
                outcome.updated += outcome_pull.updated
                outcome.conflicts += outcome_pull.conflicts
                git.run("fetch", "--quiet", "origin", repo.branch)
                git.run("reset", "--quiet", "--hard", "FETCH_HEAD")
                continue
            _remember(repo, written, commit, removed)
            Repository.objects.filter(pk=repo.pk).update(last_push_at=timezone.now(), last_error="")
            repo.last_error = ""
            outcome.pushed, outcome.commit = changed + removed, commit
            for rel, (decision, _text) in written.items():
                if repo.prefix + rel in changed:
                    SyncEvent.objects.create(
                        repository=repo,
                        kind=SyncEvent.Kind.PUSHED,
                        decision=decision,
                        path=rel,
                        commit=commit,
                        author=_author(by)[0],
                        message=subject,
                    )
            return outcome
    return outcome


# --- pull ------------------------------------------------------------------------------------


def _last_change(git: Git, path: str) -> tuple[str, str, str]:
    """(commit, author name, author email) of the last commit that touched `path`."""
    line = git.run("log", "-1", "--format=%H%x00%an%x00%ae", "--", path).strip()
    commit, name, email = (line.split("\x00") + ["", "", ""])[:3]
    return commit, name, email


def _user_for(email: str, workspace):
    """The member whose address the commit carries: the draft is theirs in the history."""
    if not email:
        return None
    return (
        get_user_model()
        .objects.filter(email__iexact=email, memberships__workspace=workspace)
        .first()
    )


def _remote_files(git: Git, repo: Repository) -> dict[str, bytes]:
    listed = git.run("ls-files", "-z", "--", repo.prefix or ".")
    files = {}
    for name in filter(None, listed.split("\x00")):
        rel = name.removeprefix(repo.prefix)
        if not rel.lower().endswith(MARKDOWN) or not safe_path(rel):
            continue
        files[rel] = (git.workdir / name).read_bytes()
    return files


def pull(repo: Repository) -> Outcome:
    """Bring in what changed in git since the last sync; see the module's docstring."""
    outcome = Outcome()
    with working_copy(repo.url, repo.branch, repo.auth()) as (git, empty):
        if empty:
            Repository.objects.filter(pk=repo.pk).update(last_pull_at=timezone.now())
            return outcome
        head = git.run("rev-parse", "HEAD").strip()
        remote = _remote_files(git, repo)
        folder = Folder(repo)
        by_number = {d.number: d for d in folder.decisions}
        by_path = {path.lower(): by_number[n] for n, path in folder.paths.items()}
        new_files = []
        for rel, data in sorted(remote.items()):
            if NOT_ADR.search(rel):
                continue
            text = data.replace(b"\x00", b"").decode("utf-8", errors="replace")
            synced = folder.synced.get(rel)
            if synced is not None and synced.sha256 == sha256_of(text):
                continue  # unchanged in git: Adroit's own changes go out when accepted
            decision = synced.decision if synced is not None else by_path.get(rel.lower())
            if decision is not None:
                decision = folder.by_pk.get(decision.pk, decision)
            if decision is None:
                new_files.append((rel, data))
                continue
            ours = folder.text_of(decision)
            if synced is None and ours == text:
                SyncedFile.objects.create(
                    repository=repo,
                    path=rel,
                    decision=decision,
                    sha256=sha256_of(text),
                    commit=head,
                )
                continue
            commit, name, email = _last_change(git, repo.prefix + rel)
            who = _user_for(email, repo.workspace)
            author = f"{name} <{email}>" if email else name
            local_changed = synced is None or sha256_of(ours) != synced.sha256
            if not decision.can_move_to(Status.DRAFT) and decision.status != Status.DRAFT:
                new_files.append((rel, data))  # a closed decision stays; the file comes as new
                continue
            try:
                # The decision's change and the file's new state together, or neither.
                with transaction.atomic():
                    if local_changed:
                        _conflict(repo, decision, rel, ours, text, commit, author, who)
                    else:
                        _update(repo, decision, rel, data, commit, author, who)
                    SyncedFile.objects.update_or_create(
                        repository=repo,
                        path=rel,
                        defaults={
                            "decision": decision,
                            "sha256": sha256_of(text),
                            "commit": commit,
                        },
                    )
            except ReadError as error:
                _refused(repo, rel, str(error), commit, author)
                outcome.refused += 1
                continue
            if local_changed:
                outcome.conflicts += 1
            else:
                outcome.updated += 1
        for rel, synced in folder.synced.items():
            if rel not in remote:
                SyncEvent.objects.create(
                    repository=repo,
                    kind=SyncEvent.Kind.REMOVED,
                    decision=synced.decision,
                    path=rel,
                    commit=head,
                )
                synced.delete()
                outcome.removed += 1
        if new_files:
            _bring_in(git, repo, new_files, outcome)
        Repository.objects.filter(pk=repo.pk).update(
            last_commit=head, last_pull_at=timezone.now(), last_error=""
        )
        repo.last_commit, repo.last_error = head, ""
    return outcome


def _refused(repo: Repository, rel: str, why: str, commit: str = "", author: str = "") -> None:
    SyncEvent.objects.create(
        repository=repo,
        kind=SyncEvent.Kind.REFUSED,
        path=rel,
        commit=commit,
        author=author,
        message=why,
    )


def _bring_in(git: Git, repo: Repository, files: list[tuple[str, bytes]], outcome: Outcome):
    """New files: through the importer, as an import of them would bring them."""
    plan = make_plan(files, repo.workspace)
    for problem in plan.refused:
        _refused(repo, problem.file, str(problem))
        outcome.refused += 1
    if plan.problems:
        for problem in plan.problems:
            _refused(repo, problem.file, str(problem))
            outcome.refused += 1
        return
    if not plan.items:
        return
    with transaction.atomic():
        created = apply(plan, repo.workspace, by=None)
        by_name = {
            s.path: s.decision
            for s in SourceFile.objects.filter(decision__in=created).select_related("decision")
        }
        for item in plan.items:
            decision = by_name.get(item.filename)
            commit, name, email = _last_change(git, repo.prefix + item.filename)
            author = f"{name} <{email}>" if email else name
            text = item.data.decode("utf-8", errors="replace")
            SyncedFile.objects.update_or_create(
                repository=repo,
                path=item.filename,
                defaults={"decision": decision, "sha256": sha256_of(text), "commit": commit},
            )
            SyncEvent.objects.create(
                repository=repo,
                kind=SyncEvent.Kind.NEW,
                decision=decision,
                path=item.filename,
                commit=commit,
                author=author,
            )
            if decision is not None:
                record_event(
                    repo.workspace,
                    _user_for(email, repo.workspace),
                    "pulled_from_git",
                    target=decision,
                    path=item.filename,
                    commit=commit,
                    author=author,
                )
            outcome.new += 1


def _to_draft(decision: Decision, who, reason: str) -> None:
    if decision.status != Status.DRAFT:
        decision.move_to(Status.DRAFT, by=who, reason=reason)


@transaction.atomic
def _update(repo, decision: Decision, rel: str, data: bytes, commit: str, author: str, who):
    """The file changed in git only: the decision becomes a draft that says what the file says."""
    result = read_bytes(data.replace(b"\x00", b""), rel, "auto")
    record = result.record
    fit(record)
    deduplicate(record)
    reason = f"Changed in git: commit {commit[:10]} by {author}."
    _to_draft(decision, who, reason)
    record.status = Status.DRAFT
    replace_content(decision, record)
    SourceFile.objects.update_or_create(
        decision=decision,
        defaults={
            "path": rel,
            "dialect": result.format,
            "text": data.replace(b"\x00", b"").decode("utf-8", errors="replace"),
            "status_text": record.status_text,
            "imported_at": timezone.now(),
        },
    )
    # The file's text is the base from now on: unedited, the decision exports as it is in git.
    remember_imports([decision.pk])
    SyncEvent.objects.create(
        repository=repo,
        kind=SyncEvent.Kind.UPDATED,
        decision=decision,
        path=rel,
        commit=commit,
        author=author,
    )
    record_event(
        repo.workspace,
        who,
        "pulled_from_git",
        target=decision,
        path=rel,
        commit=commit,
        author=author,
    )


@transaction.atomic
def _conflict(repo, decision: Decision, rel: str, ours: str, theirs: str, commit, author, who):
    """Both sides changed: a draft keeping Adroit's text, git's text beside it, nothing lost."""
    reason = f"Changed in git and in Adroit: commit {commit[:10]} by {author}; see both texts."
    _to_draft(decision, who, reason)
    top = FreeSection.objects.filter(decision=decision).aggregate(top=Max("position"))["top"]
    fence = "`" * max(4, _longest_backticks(theirs) + 1)
    FreeSection.objects.create(
        decision=decision,
        heading=f"Changed in git meanwhile (commit {commit[:10]})",
        body=(
            f"{author} changed this file in git while it was being changed here. Merge what "
            "should stay into the text above, then remove this section.\n\n"
            f"{fence}markdown\n{theirs}\n{fence}"
        ),
        after="end",
        level=2,
        position=(top or 0) + 1,
    )
    # Anyone editing the draft now is told it changed under them (the editor's optimistic lock).
    Decision.objects.filter(pk=decision.pk).update(revision=F("revision") + 1)
    SyncEvent.objects.create(
        repository=repo,
        kind=SyncEvent.Kind.CONFLICT,
        decision=decision,
        path=rel,
        commit=commit,
        author=author,
        ours=ours,
        theirs=theirs,
    )
    record_event(
        repo.workspace,
        who,
        "git_conflict",
        target=decision,
        path=rel,
        commit=commit,
        author=author,
    )


def _longest_backticks(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(r) for r in runs), default=0)


# Models of the decisions app that are parts of one decision's record, not its history.
NOT_PARTS = {"statuschange", "sourcefile", "relation"}


def replace_content(decision: Decision, record) -> None:
    """Give `decision` the content of `record`, keeping its number, status, history, versions,
    reviews and relations.

    `save_record` is the one way a record becomes rows, and other parts keep being added to it;
    so the record is saved as a scratch decision and its parts are moved over, whatever parts
    there are, rather than copying that code here.
    """
    workspace = decision.workspace
    top = Decision.objects.filter(workspace=workspace).aggregate(top=Max("number"))["top"] or 0
    scratch = save_record(workspace, record, owner=decision.owner, number=top + 1)
    for rel in Decision._meta.related_objects:
        model = rel.related_model
        if (
            rel.many_to_many
            or rel.one_to_one
            or model._meta.app_label != "decisions"
            or model._meta.model_name in NOT_PARTS
        ):
            continue
        model.objects.filter(**{rel.field.name: decision}).delete()
        model.objects.filter(**{rel.field.name: scratch}).update(**{rel.field.name: decision})
    skip = {"id", "workspace", "number", "status", "owner", "revision", "created_at"}
    values = {
        f.attname: getattr(scratch, f.attname)
        for f in Decision._meta.concrete_fields
        if f.name not in skip and f.attname not in skip
    }
    values["revision"] = F("revision") + 1
    values["updated_at"] = timezone.now()
    Decision.objects.filter(pk=decision.pk).update(**values)
    decision.tags.set(scratch.tags.all())
    scratch.delete()
    decision.refresh_from_db()
    link_relations(decision, [r for r in record.relations if r.number is not None])
