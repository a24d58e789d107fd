"""Edits spliced into a team's own file: a three-way merge of lines, no Django.

An imported decision keeps its source text. Once it is edited, the writer's rendering of the record
as imported (`base`) and of the record now (`ours`) differ only where the edit is; those changed
lines are carried into the source text (`theirs`), and every other line of the source stays as the
team wrote it. So editing one scenario changes that scenario's lines in the file, and nothing else.

    splice(base, theirs, ours)

Where the source and the edit changed the same lines of `base`, the edit wins for those lines:
what the record says now must be in the file.
"""

from __future__ import annotations

from difflib import SequenceMatcher

Hunk = tuple[int, int, list[str]]  # base[i1:i2] becomes the lines


def _hunks(base: list[str], other: list[str]) -> list[Hunk]:
    matcher = SequenceMatcher(None, base, other, autojunk=False)
    return [
        (i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
    ]


def _clash(a: Hunk, b: Hunk) -> bool:
    """Whether two hunks (a starting no later than b) touch the same lines of base.

    Changes that only meet at a line boundary do not clash: lines inserted where the other side
    replaced the lines that follow go before them. Two insertions at one place do clash: their
    order would be a guess.
    """
    if b[0] < a[1]:
        return True
    return b[0] == a[1] == a[0] == b[1]


def _version(base: list[str], hunks: list[Hunk], start: int, end: int) -> list[str]:
    """base[start:end] with one side's hunks (all inside that range) applied."""
    out, at = [], start
    for i1, i2, lines in hunks:
        out += base[at:i1] + lines
        at = i2
    return out + base[at:end]


def splice(base: str, theirs: str, ours: str) -> str:
    """`theirs` with the changes from `base` to `ours`; where both changed a line, `ours`."""
    if ours == base:
        return theirs
    if theirs == base:
        return ours
    if "\r\n" in theirs and theirs.count("\r\n") == theirs.count("\n"):
        # A Windows checkout: the writer's lines get the file's line ends, so that they match.
        base, ours = base.replace("\n", "\r\n"), ours.replace("\n", "\r\n")
        if ours == base:
            return theirs
    b = base.splitlines(keepends=True)
    changes = sorted(
        [(i1, i2, lines, "theirs") for i1, i2, lines in _hunks(b, theirs.splitlines(True))]
        + [(i1, i2, lines, "ours") for i1, i2, lines in _hunks(b, ours.splitlines(True))],
        key=lambda h: (h[0], h[1]),
    )
    # Group the hunks into regions of base that one side or both changed.
    regions: list[list] = []
    for hunk in changes:
        last = regions[-1] if regions else None
        if last and any(_clash(h[:3], hunk[:3]) for h in last[2]):
            last[1] = max(last[1], hunk[1])
            last[2].append(hunk)
        else:
            regions.append([hunk[0], hunk[1], [hunk]])
    out, at = [], 0
    for start, end, hunks in regions:
        out += b[at:start]
        mine = [h[:3] for h in hunks if h[3] == "ours"]
        # The edit's lines where it changed anything in the region, else the source's own.
        side = mine or [h[:3] for h in hunks if h[3] == "theirs"]
        out += _version(b, side, start, end)
        at = end
    out += b[at:]
    return "".join(out)
