"""A real OpenSSH server of the test's own, on a free port of 127.0.0.1: its host key, the one
client key it lets in, and nothing else. Git runs over it as it does over any ssh remote.

Debian's openssh-server provides /usr/sbin/sshd (`make sshd` installs it, as `make test` and CI
do). A server that cannot start fails the test, never skips it.
"""

from __future__ import annotations

import getpass
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

SSHD = Path("/usr/sbin/sshd")


def keygen(path: Path, comment: str) -> Path:
    """An ed25519 key pair without a passphrase: `path` and `path`.pub."""
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sshd:
    """`start(host_key)` runs sshd in the foreground (-D) until `stop()`."""

    def __init__(self, folder: Path, client_public_key: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.user = getpass.getuser()
        self.authorized = folder / "authorized_keys"
        self.authorized.write_text(client_public_key.read_text())
        self.process: subprocess.Popen | None = None

    def url(self, path: Path) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}{path}"

    def start(self, host_key: Path) -> None:
        if not SSHD.exists():
            pytest.fail(f"{SSHD} is missing: `make sshd` installs Debian's openssh-server")
        # sshd refuses to start without its privilege separation folder, which only the init
        # script makes.
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        config = self.folder / "sshd_config"
        config.write_text(
            f"ListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {self.folder / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {self.authorized}\nAllowUsers {self.user}\n"
            # The test's temporary folders are not root's 0700 ones that StrictModes wants.
            "StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PubkeyAuthentication yes\nUsePAM no\nPermitRootLogin prohibit-password\n"
        )
        log = self.folder / "sshd.log"
        self.process = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config), "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"sshd did not start: {log.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"sshd did not listen on {self.port} within 20 s: {log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
