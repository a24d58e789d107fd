"""Every file of the ADR corpus named by ADROIT_CORPUS reads, in the right format, losing nothing.

"Losing nothing" is checked word by word against the Record's strings (see `corpus.lost_words`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.formats.readers import read_bytes

from .corpus import corpus_files, corpus_root, lost_words, strings, words_of

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus() -> Path:
    return corpus_root()


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
        words = words_of(strings(record.to_dict()))
        source = path.read_bytes().decode("utf-8-sig")
        problems.extend(f"{path.name} {lost}" for lost in lost_words(source, words))
    assert problems == [], "\n".join(problems[:50])
