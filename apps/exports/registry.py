"""Export formats provided by apps above this one, registered when those apps are ready.

The static site is built by `apps.publishing` (an edge app: it needs search's graph and the
versions), which exports cannot import. Its AppConfig registers the format here; `export_adrs`
and the exports page offer every registered format beside the Markdown writers and the PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apps.workspaces.models import Workspace

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ExtraFormat:
    name: str
    label: str
    # Writes the workspace into a folder; returns the files written.
    write_folder: Callable[[Workspace, Path], list[Path]]
    # The same as one zip, reporting decisions done through `progress`.
    build_zip: Callable[[Workspace, Progress], bytes]


EXTRA_FORMATS: dict[str, ExtraFormat] = {}


def register(fmt: ExtraFormat) -> None:
    EXTRA_FORMATS[fmt.name] = fmt
