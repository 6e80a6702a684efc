"""Tests of the deployment files under deploy/, and what they share: where those files are,
the image's instructions as Docker reads them (the benchmarks run the image's allocator
settings from here too), and real ``agente serve`` and ``agente worker`` processes to put
behind nginx or to probe as a container would."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from agente.config import Settings
from tests.conftest import free_port
from tests.e2e.procs import AGENTE, STARTUP_TIMEOUT, clean_env, describe, run_agente, wait_for_http

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
_SHUTDOWN_FIELDS = ("shutdown_drain_seconds", "shutdown_timeout", "tracing_shutdown_timeout")


def shutdown_seconds(env: Mapping[str, str]) -> float:
    """The longest a process configured by ``env`` may take from SIGTERM to its exit, as its
    settings bound it: the drain, the requests in flight, then the flush of queued traces."""
    settings = Settings.model_validate({name: env[name.upper()] for name in _SHUTDOWN_FIELDS if name.upper() in env})
    return settings.shutdown_drain_seconds + settings.shutdown_timeout + settings.tracing_shutdown_timeout


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        keyword, _, rest = (current + line).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def runtime_stage() -> list[tuple[str, str]]:
    """The instructions of the image's last stage, the one that runs."""
    instructions = dockerfile_instructions()
    return instructions[max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM") :]


def runtime_env() -> dict[str, str]:
    """The variables the runtime stage's ``ENV`` instructions set."""
    pairs = [pair for keyword, rest in runtime_stage() if keyword == "ENV" for pair in shlex.split(rest)]
    return dict(pair.split("=", 1) for pair in pairs)


@contextmanager
def agente_server(workdir: Path, **settings: str) -> Iterator[str]:
    """``agente db upgrade`` then ``agente serve`` on a free loopback port, in the embedded
    default plus ``settings``; yields the base URL once /health/ready answers, kills the
    process (by its PID) on the way out. Its output is in ``workdir``/serve.log."""
    port = free_port()
    values = {"HOST": "127.0.0.1", "PORT": str(port), "DATA_DIR": str(workdir / "var"), **settings}
    # The test run's intent model, so the process does not train its own.
    if "NLU_MODEL_DIR" in os.environ:
        values.setdefault("NLU_MODEL_DIR", os.environ["NLU_MODEL_DIR"])
    env = clean_env(**values)
    upgraded = run_agente("db", "upgrade", env=env, cwd=workdir)
    assert upgraded.returncode == 0, describe(upgraded)
    log = workdir / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([AGENTE, "serve"], env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_http(f"{base}/health/ready", alive=lambda: proc.poll() is None, timeout=STARTUP_TIMEOUT)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- agente serve\n{log.read_text()}") from None
        yield base
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


@contextmanager
def agente_worker(workdir: Path, **settings: str) -> Iterator[int]:
    """``agente worker`` with its HTTP port on a free loopback port, plus ``settings`` (the
    database to use, at least); yields that port once /health/live answers. On the way out it
    is stopped with SIGTERM (killed, by its PID, if it lingers), so the port is closed after
    the block. Its output is in ``workdir``/worker.log."""
    port = free_port()
    env = clean_env(WORKER_METRICS_HOST="127.0.0.1", WORKER_METRICS_PORT=str(port), **settings)
    log = workdir / "worker.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([AGENTE, "worker"], env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_http(f"http://127.0.0.1:{port}/health/live", alive=lambda: proc.poll() is None)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- agente worker\n{log.read_text()}") from None
        yield port
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
