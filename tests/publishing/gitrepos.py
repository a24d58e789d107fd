"""Real git repositories made in the test with the git command line: a bare remote, and a
clone standing for an engineer who commits and pushes to it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ENV = {
    **os.environ,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_AUTHOR_NAME": "Eve Engineer",
    "GIT_AUTHOR_EMAIL": "eve@example.com",
    "GIT_COMMITTER_NAME": "Eve Engineer",
    "GIT_COMMITTER_EMAIL": "eve@example.com",
}


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


class Engineer:
    """A clone of the remote, on branch main, editing files under docs/adr."""

    def __init__(self, remote: Path, where: Path) -> None:
        self.remote = remote
        self.path = where
        git(where.parent, "clone", "--quiet", str(remote), str(where))
        git(where, "checkout", "--quiet", "-B", "main")

    def write(self, name: str, text: str) -> Path:
        path = self.path / "docs" / "adr" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def read(self, name: str) -> str:
        return (self.path / "docs" / "adr" / name).read_text()

    def commit(self, message: str) -> str:
        git(self.path, "add", "-A")
        git(self.path, "commit", "--quiet", "-m", message)
        return git(self.path, "rev-parse", "HEAD").strip()

    def push(self) -> None:
        git(self.path, "push", "--quiet", "origin", "HEAD:main")

    def pull(self) -> None:
        git(self.path, "pull", "--quiet", "--rebase", "origin", "main")


def make_remote(tmp_path: Path) -> Path:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch", "main", str(remote))
    return remote


def remote_head(remote: Path) -> str:
    return git(remote, "rev-parse", "refs/heads/main").strip()


def changed_paths(remote: Path, old: str, new: str) -> list[str]:
    return sorted(git(remote, "diff", "--name-only", old, new).split())


def remote_file(remote: Path, path: str, rev: str = "main") -> str:
    return git(remote, "show", f"{rev}:{path}")
