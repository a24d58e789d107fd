"""Many Markdown bodies rendered at once, in a process per CPU.

A first build of a large site spends most of its time in python-markdown, one body after the
other on one CPU. The renderer is pure (the same text gives the same HTML), so the bodies are
shared out between fresh Python processes that run this module (`python -m
apps.publishing.bodies`: texts in as JSON on stdin, HTML out on stdout). Not a forked pool: a
forked child inherits the locks of the parent's other threads (a worker's, a test's browser)
as they stood and may wait on one forever, and a spawned pool runs the parent's main script
again. This module imports only the renderer, so a child starts without setting Django up.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.utils.safestring import SafeString, mark_safe

from apps.core.markdown import render_markdown

logger = logging.getLogger("adroit.publishing")
# Below this many bodies per process, starting the processes costs more than it saves.
PER_PROCESS = 100
ROOT = Path(__file__).resolve().parent.parent.parent


def _in_child(texts: list[str]) -> list[str]:
    """A share of the bodies, rendered by a child process; its pid first."""
    child = subprocess.run(  # noqa: S603 - this module, an argument list, no shell
        [sys.executable, "-m", __name__],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        cwd=ROOT,
        # The parent's settings module, and the project first on the path, as the parent has.
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])},
        check=False,
    )
    if child.returncode != 0:
        raise RuntimeError(f"rendering bodies failed: {child.stderr[-2000:]}")
    return json.loads(child.stdout)


def render_bodies(
    texts: list[str], per_process: int = PER_PROCESS
) -> tuple[list[SafeString], set[int]]:
    """Each text through the one sanitising renderer, in order; and the processes that did it."""
    workers = min(os.cpu_count() or 1, len(texts) // per_process)
    if workers < 2:
        return [render_markdown(text) for text in texts], {os.getpid()}
    shares = [texts[i::workers] for i in range(workers)]
    # Threads only wait on the children's pipes, so every child runs at once.
    try:
        with ThreadPoolExecutor(workers) as waiting:
            done = list(waiting.map(_in_child, shares))
    except (OSError, RuntimeError, ValueError):
        # A child that cannot start (no Python where sys.executable says) or fails costs time,
        # never the build: the bodies are rendered here instead.
        logger.warning("Rendering bodies in child processes failed", exc_info=True)
        return [render_markdown(text) for text in texts], {os.getpid()}
    bodies: list[str] = [""] * len(texts)
    for i, (_, *rendered) in enumerate(done):
        bodies[i::workers] = rendered
    # Sanitised by render_markdown, in the child.
    return [mark_safe(body) for body in bodies], {pid for pid, *_ in done}  # noqa: S308


if __name__ == "__main__":
    shared = json.load(sys.stdin)
    json.dump([os.getpid(), *(str(render_markdown(text)) for text in shared)], sys.stdout)
