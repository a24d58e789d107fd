"""The git command line, run safely: an argument list (no shell), a timeout, no prompts.

A remote URL comes from a workspace admin, so it is checked before git sees it: an option
(`-u...`), a transport helper (`ext::sh -c ...`, `fd::`) or an unknown scheme is refused, and
git itself may use only the protocols in GIT_ALLOW_PROTOCOL. A token travels in the environment
(GIT_CONFIG_* as an HTTP header), never on the command line where `ps` would show it; a deploy
key is written to a private temporary file for ssh and removed afterwards.

SSH host keys: trust on first use, then pinned, as ssh itself does for a person. The key the
server shows on the first sync is accepted and handed to `Auth.on_new_host_key` (the
repository records it); from then on only that key is accepted, so a server that changed its
key, or one standing in for it, is refused with a message saying so. An admin who knows the
key can give it beforehand instead.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

GIT = shutil.which("git") or "git"
SCHEMES = ("https://", "http://", "ssh://", "file://")
# user@host:path, as ssh and GitHub write it (no "::", which is a transport helper).
SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!:)[^\s]+$")
BRANCH = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,200}(?<![./])$")


class GitError(Exception):
    """Git failed; the message says what a person can do about it."""


class PushRejected(GitError):
    """The remote branch moved on: pull, then push again."""


def check_url(url: str) -> str:
    """The URL if Adroit may hand it to git, else ValueError saying why."""
    url = url.strip()
    if not url:
        raise ValueError("Give the repository's URL.")
    if url.startswith("-"):
        raise ValueError("A repository URL cannot start with “-”.")
    if "::" in url or url.lower().startswith("ext:") or url.lower().startswith("fd:"):
        raise ValueError("Transport helpers (ext::, fd::) are not allowed.")
    if any(c in url for c in "\n\r\t\x00"):
        raise ValueError("The URL contains control characters.")
    local = url.startswith(("/", "file://"))
    if local and not settings.ADROIT_GIT_LOCAL_REMOTES:
        raise ValueError("Local paths and file:// URLs are turned off on this server.")
    if url.startswith("/") or url.lower().startswith(SCHEMES) or SCP_LIKE.match(url):
        return url
    raise ValueError(
        "Use an https:// or ssh:// URL, user@host:path, a file:// URL or an absolute local path."
    )


def check_branch(branch: str) -> str:
    branch = branch.strip()
    if not BRANCH.match(branch) or branch.endswith(".lock"):
        raise ValueError("Not a branch name git accepts.")
    return branch


@dataclass
class Auth:
    """How to sign in to the remote: nothing, an HTTPS token, or an SSH deploy key, with the
    SSH server's host keys known so far (known_hosts lines; none: accept and report the first)."""

    token: str = ""
    ssh_key: str = ""
    username: str = "x-access-token"  # what GitHub and GitLab take beside a token
    known_hosts: str = ""
    on_new_host_key: Callable[[str], None] | None = None


class Git:
    """Commands in one working copy, with the environment that carries the credentials."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env

    def run(self, *args: str, timeout: float | None = None, check: bool = True) -> str:
        try:
            done = subprocess.run(  # noqa: S603 - an argument list, no shell
                [GIT, *args],
                cwd=self.workdir,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout or settings.ADROIT_GIT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise GitError(
                f"git {args[0]} took longer than {timeout or settings.ADROIT_GIT_TIMEOUT:g} s: "
                "is the remote reachable?"
            ) from None
        if check and done.returncode != 0:
            raise explain(args[0], done.stderr)
        return done.stdout

    def show(self, rev: str, path: str) -> bytes | None:
        done = subprocess.run(  # noqa: S603 - an argument list, no shell
            [GIT, "show", f"{rev}:{path}"],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            timeout=settings.ADROIT_GIT_TIMEOUT,
            check=False,
        )
        return done.stdout if done.returncode == 0 else None


def explain(command: str, stderr: str) -> GitError:
    """Git's own words, turned into what went wrong and what to do."""
    text = stderr.strip()
    low = text.lower()
    # "[remote rejected] ... failed to update ref": another push moved the branch while ours
    # was being received.
    if command == "push" and (
        "non-fast-forward" in low
        or "fetch first" in low
        or "[rejected]" in low
        or "failed to update ref" in low
        or "cannot lock ref" in low
    ):
        return PushRejected("The branch moved on the remote since Adroit last pulled.")
    if "host key verification failed" in low or "host identification has changed" in low:
        return GitError(
            "The SSH server did not show the host key recorded for this repository, so Adroit "
            "did not connect: someone may be standing in for it. If the server's key really "
            "changed, put its new key in the SSH host key field (or empty the field to accept "
            "the key it shows on the next sync)."
        )
    if (
        "authentication failed" in low
        or "could not read username" in low
        or "permission denied" in low
        or "403" in low
        or "401" in low
        or "invalid username or password" in low
    ):
        return GitError(
            "The remote refused the credentials: check the token or deploy key and its rights "
            "(read and write)."
        )
    if (
        "could not resolve host" in low
        or "does not appear to be a git repository" in low
        or "not found" in low
        or "connection refused" in low
        or "timed out" in low
        or "unable to access" in low
        or "no such file or directory" in low
    ):
        return GitError(f"The remote cannot be reached: {_last_line(text)}")
    if "remote branch" in low and "not found" in low:
        return GitError(f"The branch does not exist on the remote: {_last_line(text)}")
    return GitError(f"git {command} failed: {_last_line(text) or 'no message'}")


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


@contextmanager
def working_copy(url: str, branch: str, auth: Auth) -> Iterator[tuple[Git, bool]]:
    """A fresh clone of `branch` in a temporary folder, removed afterwards; (git, empty) where
    `empty` says the remote has no such branch yet (a new repository): the first push makes it.
    """
    url = check_url(url)
    branch = check_branch(branch)
    with tempfile.TemporaryDirectory(prefix="adroit-git-") as tmp:
        root = Path(tmp)
        env = {
            "PATH": os.environ["PATH"] if "PATH" in os.environ else os.defpath,
            "HOME": str(root),  # no user's ~/.gitconfig or credential helper
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "/bin/false",
            "SSH_ASKPASS": "/bin/false",
            "GIT_ALLOW_PROTOCOL": "file:https:http:ssh",
            "LC_ALL": "C",
        }
        config: list[tuple[str, str]] = [("protocol.ext.allow", "never")]
        if auth.token:
            basic = base64.b64encode(f"{auth.username}:{auth.token}".encode()).decode()
            config.append(("http.extraHeader", f"Authorization: Basic {basic}"))
        known = root / "known_hosts"
        pinned = auth.known_hosts.strip()
        if auth.ssh_key:
            key = root / "deploy_key"
            key.write_text(auth.ssh_key.strip() + "\n")
            key.chmod(0o600)
            known.write_text(pinned + "\n" if pinned else "")
            # -F /dev/null: no system ssh_config (Debian's hashes known_hosts, and may add
            # options); only our key, no agent, no prompt.
            env["GIT_SSH_COMMAND"] = (
                f"ssh -F /dev/null -i {key} -o IdentitiesOnly=yes -o BatchMode=yes "
                f"-o StrictHostKeyChecking={'yes' if pinned else 'accept-new'} "
                f"-o UserKnownHostsFile={known} -o GlobalKnownHostsFile=/dev/null"
            )
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for i, (key_name, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{i}"] = key_name
            env[f"GIT_CONFIG_VALUE_{i}"] = value
        work = root / "work"
        git = Git(root, env)
        heads = git.run("ls-remote", "--heads", "--", url, f"refs/heads/{branch}")
        if auth.ssh_key and not pinned and auth.on_new_host_key is not None:
            learned = known.read_text().strip()
            if learned:
                auth.on_new_host_key(learned)
        if heads.strip():
            git.run(
                "clone",
                "--quiet",
                "--no-tags",
                "--single-branch",
                "--branch",
                branch,
                "--",
                url,
                str(work),
            )
            yield Git(work, env), False
        else:
            work.mkdir()
            repo = Git(work, env)
            repo.run("init", "--quiet", "--initial-branch", branch)
            repo.run("remote", "add", "origin", "--", url)
            yield repo, True
