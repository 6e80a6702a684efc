"""The installed ``agente`` command, run as an operator would: its own process, a clean
environment (only the variables each test sets), a fresh working directory."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import PG_SERVER_URL, embedded_settings, free_port
from tests.e2e.procs import AGENTE, STARTUP_TIMEOUT, clean_env, describe, run_agente, wait_for_http

pytestmark = pytest.mark.e2e

TABLES = {"guests", "sessions", "messages", "logs", "audit_log"}


def sqlite_tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_db_upgrade_and_downgrade_on_a_fresh_embedded_dir(tmp_path: Path) -> None:
    env = clean_env()

    upgraded = run_agente("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, describe(upgraded)
    database = tmp_path / "var" / "agente.db"
    assert database.is_file()
    assert sqlite_tables(database) >= TABLES

    downgraded = run_agente("db", "downgrade", "base", env=env, cwd=tmp_path)
    assert downgraded.returncode == 0, describe(downgraded)
    assert sqlite_tables(database) & TABLES == set()


@pytest.fixture
def fresh_pg_database() -> Iterator[str]:
    """URL of an empty PostgreSQL database made for this test and dropped after it."""
    name = f"agente_e2e_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(PG_SERVER_URL)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER_URL.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.postgres
def test_db_upgrade_on_a_fresh_postgres_database(tmp_path: Path, fresh_pg_database: str) -> None:
    upgraded = run_agente("db", "upgrade", env=clean_env(DATABASE_URL=fresh_pg_database), cwd=tmp_path)
    assert upgraded.returncode == 0, describe(upgraded)

    async def schema() -> tuple[set[str], set[str]]:
        conn = await asyncpg.connect(fresh_pg_database)
        try:
            tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            indexes = await conn.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'sessions'")
        finally:
            await conn.close()
        return {r["tablename"] for r in tables}, {r["indexname"] for r in indexes}

    tables, session_indexes = asyncio.run(schema())
    assert tables >= TABLES
    assert "idx_sessions_guest_id" in session_indexes
    assert not (tmp_path / "var").exists(), "a configured DATABASE_URL must not create the embedded file"


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=10)


def test_make_run_path_serves_with_no_configuration(tmp_path: Path) -> None:
    """What `make run` does: `agente db upgrade` then `agente serve`, nothing configured but the port."""
    port = free_port()
    env = clean_env(PORT=str(port))
    upgraded = run_agente("db", "upgrade", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, describe(upgraded)

    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with stdout.open("w") as out, stderr.open("w") as err:
        proc = subprocess.Popen([AGENTE, "serve"], env=env, cwd=tmp_path, stdout=out, stderr=err, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        ready = wait_for_http(f"{base}/health/ready", alive=lambda: proc.poll() is None, timeout=STARTUP_TIMEOUT)
        assert ready.json()["status"] == "healthy"

        self_test = httpx.post(f"{base}/api/test", json={"message": "test"}, timeout=10)
        assert self_test.status_code == 200, self_test.text
        assert self_test.json()["status"] == "success"
        assert self_test.json()["message"] == "test"
        assert self_test.json()["failed"] == []

        health = run_agente("health", "--url", f"{base}/health/ready", env=env, cwd=tmp_path)
        assert health.returncode == 0, describe(health)
        assert json.loads(health.stdout)["status"] == "healthy"

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, f"{stdout.read_text()}\n{stderr.read_text()}"
    finally:
        _stop(proc)
    assert (tmp_path / "var" / "agente.db").is_file()


def test_production_refuses_to_start_without_its_configuration(tmp_path: Path) -> None:
    refused = run_agente("serve", env=clean_env(ENV="production", PORT=str(free_port())), cwd=tmp_path)
    assert refused.returncode == 2, describe(refused)
    for variable in ("DATABASE_URL", "REDIS_URL", "ADMIN_TOKEN"):
        assert variable in refused.stderr, describe(refused)
    assert "Traceback" not in refused.stderr


def test_production_refuses_a_placeholder_admin_token(tmp_path: Path) -> None:
    env = clean_env(
        ENV="production",
        PORT=str(free_port()),
        DATABASE_URL="postgresql://agente@127.0.0.1:5432/agente",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ADMIN_TOKEN="changeme",
    )
    refused = run_agente("serve", env=env, cwd=tmp_path)
    assert refused.returncode == 2, describe(refused)
    assert "ADMIN_TOKEN" in refused.stderr
    assert "DATABASE_URL" not in refused.stderr
    assert "REDIS_URL" not in refused.stderr
    assert "changeme" not in refused.stderr, "the rejected secret must not be echoed"


def test_health_exits_1_when_nothing_listens(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/health/ready"
    result = run_agente("health", "--url", url, env=clean_env(), cwd=tmp_path)
    assert result.returncode == 1, describe(result)
    report = json.loads(result.stderr)
    assert report["status"] == "unreachable"
    assert report["url"] == url


def _sqlite_timestamp(moment: datetime) -> str:
    # How SQLAlchemy stores UtcDateTime on SQLite: naive UTC, microseconds, space separator.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def test_logs_prune_deletes_only_rows_older_than_the_given_age(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path)
    database = settings.data_dir / "agente.db"
    now = datetime.now(UTC)
    with sqlite3.connect(database) as conn:
        conn.executemany(
            "INSERT INTO logs (level, event, data, created_at) VALUES (?, ?, '{}', ?)",
            [
                ("info", "ten days old", _sqlite_timestamp(now - timedelta(days=10))),
                ("info", "one day old", _sqlite_timestamp(now - timedelta(days=1))),
            ],
        )

    env = clean_env(DATA_DIR=str(settings.data_dir))
    pruned = run_agente("logs", "prune", "--older-than", "7d", env=env, cwd=tmp_path)
    assert pruned.returncode == 0, describe(pruned)
    # The whole of stdout is the one JSON report, so `agente logs prune | jq` works.
    assert json.loads(pruned.stdout) == {"deleted": 1, "older_than": "7d"}
    with sqlite3.connect(database) as conn:
        remaining = [row[0] for row in conn.execute("SELECT event FROM logs")]
    assert remaining == ["one day old"]

    bogus = run_agente("logs", "prune", "--older-than", "bogus", env=env, cwd=tmp_path)
    assert bogus.returncode == 2, describe(bogus)
    assert "Usage: agente logs prune" in bogus.stderr
    assert "bogus" in bogus.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM logs").fetchone() == (1,)


def _refused_for_missing_schema(proc: subprocess.CompletedProcess[str]) -> None:
    """One line on stderr naming the command to run, exit 1, no traceback and no job ever run."""
    assert proc.returncode == 1, describe(proc)
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()], describe(proc)
    assert "has no schema" in proc.stderr and "agente db upgrade" in proc.stderr, describe(proc)
    assert "Traceback" not in proc.stdout + proc.stderr, describe(proc)
    assert "worker started" not in proc.stdout and "service started" not in proc.stdout, describe(proc)


@pytest.mark.parametrize("command", ["worker", "serve"])
def test_an_empty_sqlite_file_is_refused_with_one_line(tmp_path: Path, command: str) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "agente.db").touch()
    env = clean_env(PORT=str(free_port()), WORKER_METRICS_PORT="0")
    _refused_for_missing_schema(run_agente(command, env=env, cwd=tmp_path))
    assert sqlite_tables(tmp_path / "var" / "agente.db") == set(), "no table may appear without the migrations"


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["worker", "serve"])
def test_an_empty_postgres_database_is_refused_with_one_line(
    tmp_path: Path, fresh_pg_database: str, command: str
) -> None:
    env = clean_env(DATABASE_URL=fresh_pg_database, PORT=str(free_port()), WORKER_METRICS_PORT="0")
    _refused_for_missing_schema(run_agente(command, env=env, cwd=tmp_path))

    async def tables() -> int:
        conn = await asyncpg.connect(fresh_pg_database)
        try:
            return int(await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
        finally:
            await conn.close()

    assert asyncio.run(tables()) == 0
