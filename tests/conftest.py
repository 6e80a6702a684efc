"""Shared fixtures: each test run gets its own PostgreSQL database and Redis key prefix.

``TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/postgres``) is the
server where a database ``agente_test_<run>`` is created for this run and dropped after;
``TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/0``) is shared, every key of the run
under ``test:<run>:``. Tests parametrised over ``backend`` run once embedded (SQLite file +
in-process store) and once on PostgreSQL + Redis.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from redis import asyncio as aioredis
from sqlalchemy import text
from starlette.types import ASGIApp

from agente.config import Settings
from agente.container import Container, build_container
from agente.main import create_app
from agente.storage import migrate
from tests.qloapps.server import QloApps, Unavailable, unavailable

RUN_ID = uuid.uuid4().hex[:10]
# One intent model for the whole run: every container built by the tests loads it instead of
# training its own (processes started by e2e tests get a clean environment and train theirs).
os.environ.setdefault("NLU_MODEL_DIR", tempfile.mkdtemp(prefix=f"agente-nlu-{RUN_ID}-"))
PG_SERVER_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# Starting the app loads the intent model; on a loaded CI machine that can take longer than
# asgi-lifespan's 5 s default, which would fail a test for the machine's sake.
LIFESPAN_TIMEOUT = 60.0


def lifespan(app: ASGIApp) -> LifespanManager:
    """The app's lifespan, entered with a start-up and shutdown allowance fit for CI."""
    return LifespanManager(app, startup_timeout=LIFESPAN_TIMEOUT, shutdown_timeout=LIFESPAN_TIMEOUT)


REDIS_SERVER_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TABLES = (
    "audit_log",
    "logs",
    "messages",
    "sessions",
    "guests",
    "blocked_clients",
    "simulator_bookings",
    "outbox",
    "bookings",
    "hotel_facts",
    "sent_emails",
)


def _pg_url(database: str) -> str:
    base, _, _ = PG_SERVER_URL.rpartition("/")
    return f"{base}/{database}"


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_SERVER_URL)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """URL of a PostgreSQL database that exists for this run only, migrated to head."""
    name = f"agente_test_{RUN_ID}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = _pg_url(name)
    migrate.upgrade(Settings(database_url=url))
    yield url
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def redis_prefix() -> Iterator[str]:
    prefix = f"test:{RUN_ID}:"
    yield prefix

    async def cleanup() -> None:
        client = aioredis.Redis.from_url(REDIS_SERVER_URL)
        async for key in client.scan_iter(match=f"{prefix}*", count=500):
            await client.delete(key)
        await client.aclose()

    asyncio.run(cleanup())


def embedded_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Embedded default in a private folder, schema migrated."""
    settings = Settings(env="test", data_dir=tmp_path / "var", worker_in_process=False, **overrides)  # type: ignore[arg-type]
    migrate.upgrade(settings)
    return settings


def postgres_settings(pg_database: str, redis_prefix: str, **overrides: object) -> Settings:
    return Settings(
        env="test",
        database_url=pg_database,
        redis_url=REDIS_SERVER_URL,
        redis_key_prefix=redis_prefix,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["embedded", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """The service's settings on each backend; PostgreSQL tables are emptied after each test."""
    if request.param == "embedded":
        yield embedded_settings(tmp_path)
        return
    pg_database = request.getfixturevalue("pg_database")
    prefix = request.getfixturevalue("redis_prefix") + uuid.uuid4().hex[:6] + ":"
    yield postgres_settings(pg_database, prefix)
    asyncio.run(_truncate(pg_database))


async def _truncate(url: str) -> None:
    settings = Settings(database_url=url)
    async with build_container(settings) as container, container.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[Container]:
    async with build_container(settings) as built:
        yield built


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[ASGIApp]:
    """The app with its lifespan entered (container built), as requests see it."""
    application = create_app(settings)
    async with lifespan(application) as manager:
        yield manager.app


async def client_for(app: ASGIApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://agente.test")


@pytest.fixture
async def client(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(app) as http:
        yield http


@dataclass
class Running:
    """A service with its lifespan entered: its container and a client that talks to it."""

    container: Container
    client: httpx.AsyncClient


@asynccontextmanager
async def running(settings: Settings, *, client_address: str = "127.0.0.1") -> AsyncIterator[Running]:
    built: list[Container] = []
    application = create_app(settings, on_start=built.append)
    async with lifespan(application) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=(client_address, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://agente.test") as http:
            yield Running(container=built[0], client=http)


@pytest.fixture
async def service(settings: Settings) -> AsyncIterator[Running]:
    async with running(settings) as svc:
        yield svc


class RedisProcess:
    """A private redis-server, so a test can stop and restart it."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    server = RedisProcess(tmp_path)
    server.start()
    yield server
    server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def qloapps(pytestconfig: pytest.Config) -> Iterator[QloApps]:
    """A real QloApps 1.6.1 on loopback (``tests/qloapps/server.py``), one for the whole run.

    Skips, with the one-line reason, where the source or the Debian packages are missing.
    Tests that use it share its bookings: each picks its own guest or stay."""
    try:
        instance = QloApps.start()
    except Unavailable as why:
        pytest.skip(str(why))
    source = "installed now" if instance.installed_now else "from the cache"
    pytestconfig.stash[QLOAPPS_SETUP] = f"real QloApps ready in {instance.setup_seconds:.1f} s ({source})"
    yield instance
    instance.stop()


QLOAPPS_SETUP = pytest.StashKey[str]()
QLOAPPS_MISSING = pytest.StashKey[str | None]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Skipped here rather than by a mark or the fixture, which report each test's own line: one
    # location makes the reason one line of the summary however many tests it skips.
    if item.get_closest_marker("qloapps") is None:
        return
    if QLOAPPS_MISSING not in item.config.stash:
        item.config.stash[QLOAPPS_MISSING] = unavailable()
    if why := item.config.stash[QLOAPPS_MISSING]:
        pytest.skip(why)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if line := config.stash.get(QLOAPPS_SETUP, None):
        terminalreporter.write_line(line)
