"""The seed's words, with the frequencies real ADRs use them at.

`python -m bench.vocabulary /path/to/corpus` counts the words of every Markdown file in an ADR
corpus (ADROIT_CORPUS: 387 ADRs from 10 public repositories) and writes the 6,000 most frequent,
with their counts, to bench/vocabulary.tsv, which is committed so the seed is the same on every
machine. `bench/seed.py` draws its prose from it: common words ("service", "data") are in most
documents, most words in a few, as in a real log, so a search ranks a realistic number of matches.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

FILE = Path(__file__).resolve().parent / "vocabulary.tsv"
KEEP = 6000
# Words of letters only, from 2 letters: no numbers, hashes, URLs' fragments or code symbols.
WORD = re.compile(r"(?<![\w/.#-])[a-z][a-z']*[a-z](?![\w/#])")
FENCE = re.compile(r"```.*?```", re.S)
LINK = re.compile(r"\]\([^)]*\)|https?://\S+")


def count(corpus: Path) -> Counter:
    words: Counter = Counter()
    for path in sorted(corpus.rglob("*.md*")):
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        text = LINK.sub(" ", FENCE.sub(" ", text))
        words.update(w.strip("'") for w in WORD.findall(text))
    return words


def write(corpus: Path) -> int:
    words = count(corpus).most_common(KEEP)
    FILE.write_text("".join(f"{w}\t{n}\n" for w, n in words), encoding="utf-8")
    return len(words)


@cache
def load() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(words, cumulative weights) for `random.choices(words, cum_weights=...)`."""
    words, weights, total = [], [], 0
    for line in FILE.read_text(encoding="utf-8").splitlines():
        word, n = line.split("\t")
        total += int(n)
        words.append(word)
        weights.append(total)
    return tuple(words), tuple(weights)


if __name__ == "__main__":
    print(f"{write(Path(sys.argv[1]))} words written to {FILE}")
