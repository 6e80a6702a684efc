"""``agente serve`` and ``agente worker`` as real processes for the fault tests.

Each process gets a clean environment (tests/e2e/procs.py), its own free port (the API's,
or the worker's /metrics and /health port), and its output in a file that a failing
assertion prints. :func:`running` starts several side by side — start-up is mostly
imports, so in parallel it costs about one — and always stops them on the way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import httpx

from tests.conftest import free_port
from tests.e2e.procs import AGENTE, STARTUP_TIMEOUT, clean_env

ADMIN_TOKEN = "faults-admin-token"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
STOP_TIMEOUT = 30.0


def service_env(
    *,
    database_url: str,
    redis_url: str,
    redis_prefix: str,
    nlu_model_dir: Path,
    **settings: str,
) -> dict[str, str]:
    """The settings every fault test shares: PostgreSQL and Redis, a fast outbox poll, a
    limit high enough that only the tests about limits meet it, and the trained intent model."""
    values = {
        "ENV": "test",
        "LOG_LEVEL": "INFO",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": redis_prefix,
        "NLU_MODEL_DIR": str(nlu_model_dir),
        "ADMIN_TOKEN": f"ops:{ADMIN_TOKEN}",
        "WORKER_IN_PROCESS": "false",
        "OUTBOX_POLL_SECONDS": "0.2",
        "RATE_LIMIT_MAX_REQUESTS": "100000",
    }
    values.update(settings)
    return clean_env(**values)


class AgenteProcess:
    """One ``agente serve`` (``kind="serve"``) or ``agente worker`` (``kind="worker"``)."""

    def __init__(self, kind: str, env: dict[str, str], workdir: Path, name: str) -> None:
        self.kind = kind
        self.name = name
        self.port = free_port()
        self.workdir = workdir
        self.log = workdir / f"{name}.log"
        extra = (
            {"HOST": "127.0.0.1", "PORT": str(self.port)}
            if kind == "serve"
            else {"WORKER_METRICS_HOST": "127.0.0.1", "WORKER_METRICS_PORT": str(self.port)}
        )
        self.env = {**env, **extra}
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    async def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with _append(self.log) as out:
            self.proc = await asyncio.create_subprocess_exec(
                AGENTE, self.kind, env=self.env, cwd=self.workdir, stdout=out, stderr=asyncio.subprocess.STDOUT
            )

    async def wait_live(self, within: float = STARTUP_TIMEOUT * 2) -> None:
        """Until ``/health/live`` answers 200 (the API's, or the worker's own port)."""
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                if not self.running:
                    raise AssertionError(f"{self.name} exited before it was live\n{self.output()}")
                try:
                    if (await client.get("/health/live")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} not live within {within:g}s\n{self.output()}")

    def send_signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None and self.proc.returncode is None, f"{self.name} is not running"
        self.proc.send_signal(sig)

    async def wait(self, within: float = STOP_TIMEOUT) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), within)

    async def stop(self) -> int | None:
        """SIGTERM, then SIGKILL if it does not exit in time; the exit status (None if never started)."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.send_signal(signal.SIGCONT)  # a process a test froze (SIGSTOP) must see it too
            try:
                return await asyncio.wait_for(self.proc.wait(), STOP_TIMEOUT)
            except TimeoutError:
                self.proc.kill()
        return await self.proc.wait()

    def output(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.kind}) output, last 8000 characters\n{text[-8000:]}"


def _append(path: Path) -> IO[bytes]:
    # The child keeps its own copy of the descriptor; ours closes once it is spawned. A
    # restarted process appends to the same file, so one file tells the whole story.
    return path.open("ab")


@contextlib.asynccontextmanager
async def running(*processes: AgenteProcess) -> AsyncIterator[None]:
    """Start ``processes`` together, wait until each is live, stop them all on the way out."""
    try:
        for process in processes:
            await process.start()
        await asyncio.gather(*(process.wait_live() for process in processes))
        yield
    finally:
        await asyncio.gather(*(process.stop() for process in processes))


def outputs(*processes: AgenteProcess) -> str:
    return "\n".join(process.output() for process in processes)
