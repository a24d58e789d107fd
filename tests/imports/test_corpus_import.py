"""Each corpus folder imports whole with `import_adrs`: duplicate numbers, odd files and all."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.decisions.models import Decision
from apps.imports.importing import NOT_ADR

from ..formats.test_corpus_read import corpus  # noqa: F401 - the fixture

pytestmark = pytest.mark.corpus


def manifest(root: Path) -> list[dict]:
    with (root / "MANIFEST.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_it_imports_every_adr_file_of_each_corpus_folder(db, corpus):  # noqa: F811
    for row in manifest(corpus):
        folder = corpus / row["dir"]
        not_adr = [p for p in folder.rglob("*") if NOT_ADR.search(p.relative_to(folder).as_posix())]
        slug = re.sub(r"[^a-z0-9]+", "-", row["dir"].lower())[:50]
        out, err = io.StringIO(), io.StringIO()

        call_command("import_adrs", str(folder), "--workspace", slug, stdout=out, stderr=err)

        expected = int(row["file_count"]) - len(not_adr)
        assert Decision.objects.filter(workspace__slug=slug).count() == expected, row["dir"]
        assert f"Imported {expected} decision(s)" in out.getvalue()
        assert "NOT IMPORTED" not in err.getvalue(), err.getvalue()
