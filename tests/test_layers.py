"""The layers in docs/architecture.md hold, and an import that runs the wrong way breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "apps", tmp_path / "apps", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")


def test_it_keeps_every_layer_contract():
    run = _lint(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "message"),
    [
        # A lower layer importing a higher one.
        (
            "apps/decisions/models.py",
            "from apps.reviews.models import ReviewRound",
            "apps.decisions is not allowed to import apps.reviews",
        ),
        # A feature importing the feature above it.
        (
            "apps/versions/models.py",
            "from apps.reviews import models",
            "apps.versions is not allowed to import apps.reviews",
        ),
        # A view imported from outside its app's URLs.
        ("apps/exports/packs.py", "from apps.versions import views", "Views are entry points"),
    ],
)
def test_it_fails_an_import_that_runs_the_wrong_way(tmp_path, module, line, message):
    copy = _copy(tmp_path)
    _add_import(copy / module, line)

    run = _lint(copy)

    assert run.returncode == 1
    assert message in run.stdout
