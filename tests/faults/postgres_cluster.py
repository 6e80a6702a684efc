"""A private PostgreSQL cluster that a test may stop and start again.

Built with the distribution's own binaries (``initdb``, ``pg_ctl`` under
``/usr/lib/postgresql/<version>/bin``) in a temporary folder, on a free port of 127.0.0.1,
with trust authentication. PostgreSQL refuses to run as root, so when the tests run as root
the cluster's folder belongs to the ``postgres`` user and the binaries run as that user
(``runuser``). :func:`binaries` is ``None`` where PostgreSQL is not installed: the test
using the cluster is then skipped.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.conftest import free_port

_INSTALLS = Path("/usr/lib/postgresql")


def binaries() -> Path | None:
    """The newest installed ``bin`` folder holding both ``initdb`` and ``pg_ctl``."""
    if not _INSTALLS.is_dir():
        return None
    found = [
        path / "bin"
        for path in _INSTALLS.iterdir()
        if (path / "bin" / "initdb").exists() and (path / "bin" / "pg_ctl").exists()
    ]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, default=None)


class PrivatePostgres:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="agente-faults-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stdout}\n{result.stderr}\n{self.log()}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        # fsync off: the test stops the server, never the machine, so the page cache survives.
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.logfile), "-w", "-t", "30", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash as the clients see it: connections cut, no goodbye."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def log(self) -> str:
        return self.logfile.read_text(errors="replace")[-4000:] if self.logfile.exists() else ""

    def destroy(self) -> None:
        if self.running():
            try:
                self.stop()
            except RuntimeError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)
