"""Every folder of the ADR corpus comes back unchanged: `fidelity.py FOLDER --format FAMILY`.

The tool (beside the corpus, `../shared/tools/fidelity.py`, not ours to edit) imports a folder
through `manage.py import_adrs`, exports it untouched, imports that export and exports again. It
must print `N/N files back unchanged` and a full fixed point (the second export is the first, byte
for byte). Each run works in a SQLite database of its own and runs four commands; the folders run
side by side, a few at once, so the ten take the time of the slowest few rather than of all.

The tool migrates its database first. From nothing that costs about as much CPU as its four
commands together (Django renders the model state of every migration), ten times over; so the
schema is migrated once, by the same `manage.py migrate`, and each folder starts from a copy of
that empty database. The tool's own migrate then finds nothing left to apply, and every file
still goes through the real import and export commands.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import migrated_sqlite_file
from tests.formats.corpus import corpus_root

pytestmark = pytest.mark.corpus

SUMMARY = re.compile(r"(\d+)/(\d+) files back unchanged;.*fixed point (\d+)/(\d+) files")
AT_ONCE = 3


def folders() -> list[tuple[str, str]]:
    """(folder, family) of every corpus folder, from MANIFEST.tsv: nygard, or madr for the MADR
    versions and log4brains."""
    manifest = corpus_root() / "MANIFEST.tsv"
    with manifest.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(r["dir"], "nygard" if r["format"] == "nygard" else "madr") for r in rows]


def migrated_database(work: Path) -> Path:
    """An empty database with every migration applied, made as the tool makes its own; or the
    migrated copy an earlier SQLite run of the suite kept (tests/conftest.py), when there is one."""
    database = work / "migrated.sqlite3"
    if migrated_sqlite_file().exists():
        shutil.copyfile(migrated_sqlite_file(), database)
        return database
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}"},
        check=True,
        timeout=900,
    )
    return database


def fidelity(folder: str, family: str, work: Path, database: Path) -> subprocess.CompletedProcess:
    tool = corpus_root().parent / "tools" / "fidelity.py"
    # The tool keeps its database in its work folder: the copy is where it looks.
    (work / folder).mkdir(parents=True)
    shutil.copyfile(database, work / folder / "fidelity.sqlite3")
    return subprocess.run(
        [sys.executable, str(tool), str(corpus_root() / folder), "--format", family]
        + ["--work", str(work / folder), "--show", "10"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    tool = corpus_root().parent / "tools" / "fidelity.py"
    if not tool.is_file():
        pytest.fail(f"{tool} is missing: it comes with the corpus (../shared/tools)")
    work = tmp_path_factory.mktemp("fidelity")
    database = migrated_database(work)
    with ThreadPoolExecutor(AT_ONCE) as pool:
        futures = {f: pool.submit(fidelity, f, family, work, database) for f, family in folders()}
    return {folder: future.result() for folder, future in futures.items()}


def folder_names() -> list[str]:
    # Without a corpus the one test below fails (not skips) when it runs; collecting must not.
    try:
        return [f for f, _ in folders()]
    except (RuntimeError, OSError):
        return ["no-corpus"]


@pytest.mark.parametrize("folder", folder_names())
def test_it_gives_every_file_of_the_folder_back_unchanged(runs, folder):
    run = runs[folder]
    said = run.stdout + run.stderr
    found = SUMMARY.search(said)
    assert found, said
    same, files, fixed, written = map(int, found.groups())
    assert (same, fixed) == (files, written), said
    assert run.returncode == 0, said
