"""Every file of the ADR corpus named by ADROIT_CORPUS reads, in the right format, losing nothing.

"Losing nothing" is checked word by word: every word of every source line must appear somewhere
in the Record's strings. The only words a line may drop are the format's own labels
(`## Status`, `* Date:`, `Good, because`, …) on the lines that carry them, because the Record
holds their meaning in fields, and ordered-list numbers, which the list order keeps.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from apps.porting.readers import read_bytes

pytestmark = pytest.mark.corpus

LABELS = set(
    """status date deciders decision makers consulted informed introduced updated context and
    problem statement drivers considered options outcome pros cons of the links good bad neutral
    because chosen option positive negative consequences confirmation common scenarios
    considerations references overview optional architecture record""".split()
)
# Lines that carry a label: headings, `Key: value` metadata, `* Good, because` points.
LABELLED = re.compile(
    r"^\s*(?:#|[*-]\s+(?:\*\*|__)?\w[\w -]*(?:\*\*|__)?\s*:|(?:\*\*|__)?\w[\w -]*(?:\*\*|__)?\s*:"
    r"|[*-]\s+(?:Good|Bad|Neutral)\b|Chosen option|because\b)",
    re.I,
)
ORDERED_MARKER = re.compile(r"^\s*\d{1,3}[.)]\s")
WORD = re.compile(r"\w+")


@pytest.fixture(scope="module")
def corpus() -> Path:
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


def lost_words(source: str, record_words: set[str]) -> list[str]:
    lost = []
    for number, line in enumerate(source.split("\n"), start=1):
        line = ORDERED_MARKER.sub("", line)
        labelled = LABELLED.match(line) is not None
        missing = [
            word
            for word in WORD.findall(line)
            if word_key(word) not in record_words and not (labelled and word_key(word) in LABELS)
        ]
        if missing:
            lost.append(f"line {number}: {missing} in {line[:80]!r}")
    return lost


def test_it_reads_every_corpus_file_in_its_format_with_a_title(corpus):
    problems = []
    files = corpus_files(corpus)
    for path, family in files:
        try:
            result = read_bytes(path.read_bytes(), path.name)
        except ValueError as error:
            problems.append(f"{path}: {error}")
            continue
        if result.format != family:
            problems.append(f"{path}: read as {result.format}, MANIFEST says {family}")
        if not result.record.title.strip():
            problems.append(f"{path}: no title")
    assert problems == [], "\n".join(problems)


def test_it_loses_no_word_of_any_corpus_file(corpus):
    problems = []
    for path, _ in corpus_files(corpus):
        record = read_bytes(path.read_bytes(), path.name).record
        words = {word_key(w) for text in strings(record.to_dict()) for w in WORD.findall(text)}
        source = path.read_bytes().decode("utf-8-sig")
        problems.extend(f"{path.name} {lost}" for lost in lost_words(source, words))
    assert problems == [], "\n".join(problems[:50])
