"""Frozen versions of a decision: what the team approved, byte for byte, for ever."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import itertools
from typing import Any

from django.db import models
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from apps.decisions.cache import cached, load_record
from apps.decisions.models import Decision
from apps.formats.record import Record, RelationEntry
from apps.formats.writers import write_madr


class VersionIsFrozen(Exception):
    """A version was about to change or disappear; versions never do."""


def canonical_markdown(record: Record) -> str:
    """The canonical form of a record: MADR 4 Markdown, as downloaded and frozen."""
    return write_madr(record)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def own_content(decision: Decision) -> Record:
    """What the decision says itself, as approvals pin it: its record without what others say.

    Others' relations to it (shown on its page as "superseded by", "amended by", ...) are
    theirs: a draft elsewhere linking here must not make this decision's approvals stale. Its
    own relations stay, named by kind and number only, since the link text carries the other
    decision's title (and its file name, a slug of that title), which its own authors edit.
    Status and date are left out: they move when the decision goes back to draft and returns to
    review without a word changed, and that alone must not make anyone's approval stale. Reads
    prefetched rows when the decision was loaded `with_record()`.
    """
    record = decision.to_record()
    own = [
        RelationEntry(kind=r.kind, number=r.target.number, target=f"{r.target.number:04d}.md")
        for r in decision.relations.all()
    ]
    # The review date and how each confirmation went change after acceptance, without an edit
    # ("Confirm still valid", a check confirmed or failed): they are not what approvers pin.
    items = [
        dataclasses.replace(i, state="pending", note="", by="", at="")
        for i in record.confirmation_items
    ]
    return dataclasses.replace(
        record,
        relations=own,
        status="in_review",
        date="",
        review_by="",
        confirmation_items=items,
    )


def content_sha256(decision: Decision) -> str:
    """The hash approvals and change requests are pinned to: the canonical Markdown of the
    decision's own content (`own_content`).

    Frozen versions do not use it: a version's `sha256` is over the Markdown it stores, which
    never changes, so versions frozen before this scheme still verify as they did.
    On the decision page (a decision loaded with its cache key) it is computed once a revision.
    """
    return cached(
        decision,
        "content_sha256",
        lambda: sha256_of(canonical_markdown(own_content(load_record(decision)))),
    )


class VersionQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise VersionIsFrozen("Versions never change.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise VersionIsFrozen("Versions are never deleted.")

    # bulk_update goes through update(); _raw_delete is what cascades use.
    def _raw_delete(self, using: str) -> int:
        raise VersionIsFrozen("Versions are never deleted.")


class Version(models.Model):
    """Version N of a decision: its record, its Markdown, that Markdown's hash and approvals.

    Immutable at every level: `save()` of an existing row, queryset `update()`/`delete()`, the
    admin (read-only) and the database itself (triggers, see migration 0002) all refuse.
    """

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField(help_text="The whole record as Record.to_dict() gave it.")
    markdown = models.TextField(help_text="The canonical MADR Markdown, served as is.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the Markdown's UTF-8 bytes.")
    # Each approval as it stood, pinned to this version's hash. Names are copied, not linked,
    # so that removing a user can never touch a frozen row.
    approvals = models.JSONField(default=list)
    accepted_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["decision", "number"]
        constraints = [
            # Two accepts racing must not both freeze "version 3".
            models.UniqueConstraint(fields=["decision", "number"], name="one_version_per_number"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision.ref} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise VersionIsFrozen("Versions never change.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "versions:detail",
            args=[self.decision.workspace.slug, self.decision.number, self.number],
        )

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise VersionIsFrozen("Versions are never deleted.")

    @property
    def label(self) -> str:
        return f"v{self.number}"

    @property
    def file_stem(self) -> str:
        return f"{self.decision.file_stem}-v{self.number}"

    def record(self) -> Record:
        return Record.from_dict(self.snapshot)

    @classmethod
    def next_number(cls, decision: Decision) -> int:
        top = cls.objects.filter(decision=decision).aggregate(top=Max("number"))["top"]
        return (top or 0) + 1

    @classmethod
    def freeze(
        cls, decision: Decision, record: Record, approvals: list[dict], accepted_by: str = ""
    ) -> Version:
        """Freeze the record as the decision's next version. Call with the decision row locked."""
        markdown = canonical_markdown(record)
        sha256 = sha256_of(markdown)
        return cls.objects.create(
            decision=decision,
            number=cls.next_number(decision),
            snapshot=record.to_dict(),
            markdown=markdown,
            sha256=sha256,
            approvals=[{**a, "sha256": sha256} for a in approvals],
            # A full name can outgrow the column (150 + 150 characters); the approvals keep who.
            accepted_by=accepted_by[: cls._meta.get_field("accepted_by").max_length],
        )


def split_sections(markdown: str) -> list[tuple[str, list[str]]]:
    """Markdown cut at its `## ` headings: the front matter and title first, then each section."""
    sections: list[tuple[str, list[str]]] = [("Front matter and title", [])]
    for line in markdown.splitlines():
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        else:
            sections[-1][1].append(line)
    return sections


# SequenceMatcher is fast on prose but super-linear on lines that repeat: 1,000 against 1,000
# such lines took 0.25 s, 3,000 against 3,000 took 17 s (docs/reliability.md). Sections past these
# sizes are named as changed, with their sizes, instead of compared line by line.
MAX_SECTION_LINES = 2_000  # both versions' lines of one section
MAX_DIFF_LINES = 4_000  # both versions' lines of all sections compared line by line


@dataclasses.dataclass
class SectionDiff:
    heading: str
    state: str  # "same", "changed", "added" or "removed"
    lines: list[tuple[str, str]]  # (" ", "+" or "-", line), only for what changed
    too_large: tuple[int, int] | None = None  # (lines before, lines after), when not compared

    @property
    def anchor(self) -> str:
        return "diff-" + "".join(c if c.isalnum() else "-" for c in self.heading.lower())


def changed_lines(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """The removed ("-") and added ("+") lines, a replaced line's old and new text side by side.

    Whole lines are matched (SequenceMatcher), never characters within them: ndiff's in-line
    comparison took close to a minute on two 400-line versions that differ in every line.
    """
    result: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = old[i1:i2], new[j1:j2]
        for pair in itertools.zip_longest(removed, added):
            result += [
                (sign, line) for sign, line in zip("-+", pair, strict=True) if line is not None
            ]
    return result


def diff_by_section(old: str, new: str) -> list[SectionDiff]:
    """Compare two Markdown texts section by section, in the newer text's order."""
    before = dict(split_sections(old))
    after = split_sections(new)
    result = []
    budget = MAX_DIFF_LINES
    for heading, lines in after:
        if heading not in before:
            result.append(SectionDiff(heading, "added", [("+", line) for line in lines]))
            continue
        old_lines = before.pop(heading)
        if old_lines == lines:
            result.append(SectionDiff(heading, "same", []))
            continue
        size = len(old_lines) + len(lines)
        if size > min(MAX_SECTION_LINES, budget):
            sizes = (len(old_lines), len(lines))
            result.append(SectionDiff(heading, "changed", [], too_large=sizes))
            continue
        budget -= size
        result.append(SectionDiff(heading, "changed", changed_lines(old_lines, lines)))
    for heading, lines in before.items():
        result.append(SectionDiff(heading, "removed", [("-", line) for line in lines]))
    return result
