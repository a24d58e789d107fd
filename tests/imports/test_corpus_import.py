"""Each repository folder of the corpus imports whole, or is refused whole with the reason."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from apps.decisions.models import Decision, Relation
from apps.imports.importing import apply, collect, make_plan

from ..factories import make_workspace
from ..formats.test_corpus_read import corpus  # noqa: F401 - the fixture

pytestmark = pytest.mark.corpus


def folders(root: Path) -> list[Path]:
    with (root / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return [root / row["dir"] for row in csv.DictReader(handle, delimiter="\t")]


def test_it_imports_each_corpus_folder_or_names_its_duplicate_numbers(db, corpus):  # noqa: F811
    for folder in folders(corpus):
        files = [
            (p.name, p.read_bytes())
            for p in sorted(folder.iterdir())
            if p.suffix in (".md", ".mdx")
        ]
        found, plan = collect(files)
        workspace = make_workspace(folder.name.lower().replace("_", "-")[:50])
        plan = make_plan(found, workspace, plan=plan)
        numbers = Counter(i.source_number for i in plan.items if i.source_number is not None)
        twice = {n for n, count in numbers.items() if count > 1}
        if plan.problems:
            # Real repositories do number two files alike; the import says which and stops.
            assert twice, (folder.name, [str(p) for p in plan.problems])
            assert all("is also the number of" in str(p) for p in plan.problems)
            continue
        decisions = apply(plan, workspace)
        assert len(decisions) == len(files) == Decision.objects.filter(workspace=workspace).count()
        assert Relation.objects.filter(source__workspace=workspace).count() <= len(plan.links)
