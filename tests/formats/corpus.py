"""The ADR corpus named by ADROIT_CORPUS, and the word-by-word check that nothing of a file is lost.

Shared by the corpus tests: reading (`test_corpus_read`), the round trip through a writer
(`test_corpus_round_trip`) and the import into the database (`test_corpus_import`).

"Losing nothing" is checked word by word: every word of every source line must appear somewhere
in the target text. The only words a line may drop are the format's own labels (`## Status`,
`* Date:`, `Good, because`, …) on the lines that carry them, because the Record holds their
meaning in fields, and ordered-list numbers, which the list order keeps.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

LABELS = set(
    """status date deciders decision makers consulted informed introduced updated context and
    problem statement drivers considered options outcome pros cons of the links good bad neutral
    because chosen option positive negative consequences confirmation common scenarios
    considerations references overview optional architecture record more information""".split()
)
# Lines that carry a label: headings, `Key: value` metadata, `* Good, because` points.
LABELLED = re.compile(
    r"^\s*(?:#|[*-]\s+(?:\*\*|__)?\w[\w -]*(?:\*\*|__)?\s*:|(?:\*\*|__)?\w[\w -]*(?:\*\*|__)?\s*:"
    r"|[*-]\s+(?:Good|Bad|Neutral)\b|Chosen option|because\b)",
    re.I,
)
ORDERED_MARKER = re.compile(r"^\s*\d{1,3}[.)]\s")
WORD = re.compile(r"\w+")


def corpus_root() -> Path:
    value = os.environ.get("ADROIT_CORPUS")
    if not value:
        raise RuntimeError(
            "ADROIT_CORPUS is not set: point it at the ADR corpus folder "
            "(the one holding MANIFEST.tsv), e.g. ADROIT_CORPUS=/work/shared/corpus"
        )
    return Path(value)


def corpus_files(corpus: Path) -> list[tuple[Path, str]]:
    """(file, expected format) for every ADR in the corpus, from MANIFEST.tsv."""
    if not corpus.is_dir():
        pytest.fail(f"ADROIT_CORPUS={corpus} is not a folder")
    manifest = corpus / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.fail(f"{manifest} is missing")
    files = []
    with manifest.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            family = "madr" if row["format"].startswith("madr") else row["format"]
            folder = corpus / row["dir"]
            found = sorted(p for p in folder.iterdir() if p.suffix in (".md", ".mdx"))
            assert len(found) == int(row["file_count"]), f"{folder}: file count differs"
            files.extend((path, family) for path in found)
    assert files, f"{corpus} holds no ADR files"
    return files


def strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str | int) and not isinstance(value, bool):
        yield str(value)


def word_key(word: str) -> str:
    # ADR numbers are ints in the Record, `0019` in the source.
    return (word.lstrip("0") or "0") if word.isdigit() else word.lower()


def words_of(texts: Iterator[str] | list[str]) -> set[str]:
    return {word_key(w) for text in texts for w in WORD.findall(text)}


def lost_words(source: str, target_words: set[str]) -> list[str]:
    """Per source line, the words that `target_words` (a record's or an export's) lacks."""
    lost = []
    for number, line in enumerate(source.split("\n"), start=1):
        line = ORDERED_MARKER.sub("", line)
        labelled = LABELLED.match(line) is not None
        missing = [
            word
            for word in WORD.findall(line)
            if word_key(word) not in target_words and not (labelled and word_key(word) in LABELS)
        ]
        if missing:
            lost.append(f"line {number}: {missing} in {line[:80]!r}")
    return lost
