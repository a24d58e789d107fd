"""The layers in docs/architecture.md hold, and an import that runs the wrong way breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

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


def test_it_fails_an_upward_import(tmp_path):
    copy = _copy(tmp_path)
    _add_import(copy / "apps/decisions/models.py", "from apps.reviews.models import ReviewRound")

    run = _lint(copy)

    assert run.returncode == 1
    assert "apps.decisions is not allowed to import apps.reviews" in run.stdout


def test_it_fails_a_feature_importing_one_above_it(tmp_path):
    copy = _copy(tmp_path)
    _add_import(copy / "apps/versions/models.py", "from apps.reviews import models")

    run = _lint(copy)

    assert run.returncode == 1
    assert "apps.versions is not allowed to import apps.reviews" in run.stdout


def test_it_fails_a_view_imported_from_outside_its_urls(tmp_path):
    copy = _copy(tmp_path)
    _add_import(copy / "apps/exports/packs.py", "from apps.versions import views")

    run = _lint(copy)

    assert run.returncode == 1
    assert "Views are entry points" in run.stdout
