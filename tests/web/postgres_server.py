"""A throwaway PostgreSQL server for the test suite: initdb into a temporary folder, started on
a free port with its Unix socket in that folder, stopped and removed at the end.

Debian keeps initdb and pg_ctl under /usr/lib/postgresql/<version>/bin; when they are missing
and we are root with apt-get, they are installed (as .ci/run does) rather than skipped.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates = sorted(
        versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    return candidates[-1] if candidates else None


def postgres_binaries() -> Path:
    found = _bin_dir()
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=True, env=env)
        found = _bin_dir()
    if found is None:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    root: Path
    port: int
    user: str
    bin_dir: Path

    @property
    def socket_dir(self) -> str:
        return str(self.root)

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        # initdb and the server refuse to run as root: run them as the postgres system user.
        if os.geteuid() == 0:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> None:
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", self.user, "-E", "UTF8")
        options = f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start"
        )

    def restart(self, mode: str = "fast") -> None:
        """Restart the server on the same data, port and socket, as an administrator or a
        failover would: ``fast`` cuts every session off (``immediate`` is a crash)."""
        data = self.root / "data"
        self._run("pg_ctl", "-D", str(data), "-m", mode, "-w", "stop")
        options = f"-k {self.root} -p {self.port} -c listen_addresses='' -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    bin_dir = postgres_binaries()
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    root = Path(tempfile.mkdtemp(prefix="joinedup-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user=user)
    server = PostgresServer(root=root, port=_free_port(), user=user, bin_dir=bin_dir)
    server.start()
    return server
