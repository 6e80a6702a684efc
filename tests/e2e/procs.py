"""Helpers for the end-to-end tests: a clean environment, the installed ``agente`` command,
bounded waits for a process's HTTP port, and reading its JSON log lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from agente.config import Settings

# The console script installed next to the interpreter running the tests (.venv/bin/agente).
AGENTE = str(Path(sys.executable).with_name("agente"))
SLOW_SERVER = Path(__file__).with_name("slow_server.py")

STARTUP_TIMEOUT = 30.0
COMMAND_TIMEOUT = 60.0


def clean_env(**values: str) -> dict[str, str]:
    """The caller's environment minus every variable Settings reads, plus ``values``.

    Derived from Settings itself so a DATABASE_URL or ENV exported in the developer's shell
    (or a field added later) can never leak into a test's process.
    """
    settings_names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in settings_names}
    env.update(values)
    return env


def run_agente(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # check=False: callers assert on the exit status, which is part of what they test.
    return subprocess.run(
        [AGENTE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )


def describe(proc: subprocess.CompletedProcess[str]) -> str:
    """What to print when a command did something unexpected."""
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"


def process_output(stdout: Path, stderr: Path) -> str:
    return f"--- stdout\n{stdout.read_text()}\n--- stderr\n{stderr.read_text()}"


def wait_for_http(
    url: str,
    *,
    alive: Callable[[], bool],
    expect_status: int = 200,
    timeout: float = STARTUP_TIMEOUT,
    method: str = "GET",
) -> httpx.Response:
    """Request ``url`` until it answers ``expect_status``; fail early once ``alive()`` is false.

    A POST sends the self test's body (``{"message": "test"}``)."""
    deadline = time.monotonic() + timeout
    last: str = "no attempt"
    while time.monotonic() < deadline:
        if not alive():
            raise AssertionError(f"process exited before {url} answered")
        try:
            body = {"message": "test"} if method == "POST" else None
            response = httpx.request(method, url, json=body, timeout=2.0)
        except httpx.HTTPError as exc:
            last = repr(exc)
        else:
            if response.status_code == expect_status:
                return response
            last = f"{response.status_code} {response.text[:200]}"
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer {expect_status} within {timeout:g}s (last: {last})")


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every non-empty line of ``text`` parsed as a JSON object (fails on the first that is not)."""
    records: list[dict[str, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise AssertionError(f"log line {number} is not JSON: {line!r}") from exc
        assert isinstance(record, dict), f"log line {number} is not a JSON object: {line!r}"
        records.append(record)
    return records
