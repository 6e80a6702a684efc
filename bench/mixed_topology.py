"""The production topology on one machine, for the mixed-load benchmark (``mixed_load.py``).

:func:`production_topology` brings up, on 127.0.0.1 with free ports: an empty PostgreSQL
database (created, migrated, dropped at the end), a Redis key prefix of its own (its keys
deleted at the end), the Graph API double (``tests/channels/graph_double.py``) served by
uvicorn in a thread, two ``agente serve`` processes and one ``agente worker`` (with its
``/metrics`` port), all with ``ENV=production``. Everything is undone however the block
ends, processes first (SIGTERM, then SIGKILL), by their process ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import uvicorn
from redis import asyncio as aioredis
from redis.exceptions import RedisError
from starlette.types import Message, Receive, Scope, Send

from http_load import (
    HOST,
    BenchError,
    Server,
    _stop,
    _wait_until_live,
    agente_executable,
    free_port,
    migrate,
    service_env,
)

# The Graph API double lives with the tests; the repository root makes it importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.channels.graph_double import PHONE_NUMBER_ID, TOKEN, VERSION, GraphDouble
from tests.deploy import DOCKERFILE, runtime_env

# ------------------------------------------------------------------------------- Graph API


class GraphRecorder:
    """The Graph API double, keeping only what the benchmark reads: when each recipient's
    first message arrived, and how many requests were answered 200 or refused. The double's
    own records are emptied after every request so a long soak does not accumulate them."""

    def __init__(self) -> None:
        self.double = GraphDouble()
        self.first_reply: dict[str, float] = {}
        self.answered = 0
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status = 0

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.double(scope, receive, noting_status)
        now = time.time()
        for recipient in self.double.sent:
            self.first_reply.setdefault(recipient, now)
        self.double.sent.clear()
        self.double.requests.clear()
        self.double.read.clear()
        if status == 200:
            self.answered += 1
        else:
            self.refused += 1


@contextlib.contextmanager
def graph_api(recorder: GraphRecorder) -> Iterator[str]:
    """Serve ``recorder`` on a free port in a thread; yields the ``WHATSAPP_API_BASE`` for it."""
    port = free_port()
    config = uvicorn.Config(recorder, host=HOST, port=port, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="graph-api-double", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise BenchError("the Graph API double did not start")
            time.sleep(0.05)
        yield f"http://{HOST}:{port}/{VERSION}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# ------------------------------------------------------------------------------- topology


@dataclass(frozen=True)
class Topology:
    api_urls: tuple[str, ...]
    pids: dict[str, int]
    ports: dict[str, int]  # where each process listens (the worker: its metrics port)
    database_url: str
    redis_url: str
    admin_token: str
    app_secret: str
    phone_number_id: str
    graph: GraphRecorder


async def _pg_execute(server_url: str, statement: str) -> None:
    try:
        conn = await asyncpg.connect(server_url, timeout=10)
    except (OSError, asyncpg.PostgresError) as exc:
        raise BenchError(f"PostgreSQL at {server_url} is not reachable: {exc}") from exc
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextlib.contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new empty database on ``server_url``'s server for this run; dropped on exit, always."""
    name = f"agente_mixed_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_execute(server_url, f'CREATE DATABASE "{name}"'))
    print(f"database {name} created", flush=True)
    try:
        yield f"{server_url.rpartition('/')[0]}/{name}"
    finally:
        asyncio.run(_pg_execute(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        print(f"database {name} dropped", flush=True)


async def _redis_keys(url: str, prefix: str, *, delete: bool) -> None:
    client = aioredis.Redis.from_url(url, socket_timeout=10)
    try:
        await client.ping()
        if delete:
            async for key in client.scan_iter(match=f"{prefix}*", count=500):
                await client.delete(key)
    except (OSError, RedisError) as exc:
        raise BenchError(f"Redis at {url} is not reachable: {exc}") from exc
    finally:
        await client.aclose()


@contextlib.contextmanager
def redis_prefix(url: str) -> Iterator[str]:
    """A key prefix of this run's own in the Redis at ``url``; its keys are deleted on exit."""
    prefix = f"bench:mixed:{uuid.uuid4().hex[:10]}:"
    asyncio.run(_redis_keys(url, prefix, delete=False))
    try:
        yield prefix
    finally:
        asyncio.run(_redis_keys(url, prefix, delete=True))


# The variables through which the image chooses its processes' allocator.
ALLOCATOR_VARIABLES = ("LD_PRELOAD", "MALLOC_CONF")


def image_allocator_env() -> dict[str, str]:
    """The allocator settings the image's runtime stage gives its processes (jemalloc), so
    the benchmark's processes run as the containers do; BenchError if it sets none."""
    env = {name: value for name, value in runtime_env().items() if name in ALLOCATOR_VARIABLES}
    if "LD_PRELOAD" not in env:
        raise BenchError(f"{DOCKERFILE} preloads no allocator: run with --allocator libc")
    return env


def require_preloaded(pids: dict[str, int], library: str) -> None:
    """BenchError unless every process has ``library`` mapped: a preload that did not take
    (the loader only warns) would measure the C library's allocator under the image's name."""
    missing = [name for name, pid in pids.items() if library not in Path(f"/proc/{pid}/maps").read_text()]
    if missing:
        raise BenchError(f"{library} is not loaded in {', '.join(missing)} (Debian: apt-get install libjemalloc2)")


@contextlib.contextmanager
def service_process(name: str, argv: Sequence[str], env: dict[str, str], log_path: Path, port: int) -> Iterator[int]:
    """``http_load.running``, yielding the process id (the soak samples each process by it)."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_live(Server(name, port, log_path), proc)
        yield proc.pid
    finally:
        _stop(proc)


@contextlib.contextmanager
def production_topology(
    postgres_url: str, redis_url: str, log_level: str, work: Path, *, allocator: dict[str, str]
) -> Iterator[Topology]:
    """Database on ``postgres_url``'s server, a key prefix in ``redis_url``, the Graph double,
    two API processes and a worker, with logs and data under ``work``; all undone on exit.
    ``allocator`` is added to the processes' environment (:func:`image_allocator_env`, or
    nothing for the C library's own malloc)."""
    agente = agente_executable()
    previous_sigint = signal.getsignal(signal.SIGINT)
    try:
        with contextlib.ExitStack() as stack:
            database_url = stack.enter_context(scratch_database(postgres_url))
            prefix = stack.enter_context(redis_prefix(redis_url))
            graph = GraphRecorder()
            graph_base = stack.enter_context(graph_api(graph))
            api_ports, worker_port = (free_port(), free_port()), free_port()
            admin_token, app_secret = secrets.token_hex(16), secrets.token_hex(16)
            data_dir = work / "data"
            data_dir.mkdir()
            env = service_env(data_dir, api_ports[0], log_level)
            # Every guest comes from an address of its own, so the default per-client limit applies.
            env.pop("RATE_LIMIT_MAX_REQUESTS", None)
            for name in ALLOCATOR_VARIABLES:
                env.pop(name, None)
            env.update(allocator)
            env.update(
                ENV="production",
                DATABASE_URL=database_url,
                REDIS_URL=redis_url,
                REDIS_KEY_PREFIX=prefix,
                ADMIN_TOKEN=f"bench:{admin_token}",
                WORKER_IN_PROCESS="false",
                WORKER_METRICS_HOST=HOST,
                WORKER_METRICS_PORT=str(worker_port),
                WHATSAPP_APP_SECRET=app_secret,
                WHATSAPP_VERIFY_TOKEN=secrets.token_hex(8),
                WHATSAPP_API_BASE=graph_base,
                WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
                WHATSAPP_ACCESS_TOKEN=TOKEN,
            )
            migrate(agente, env)
            pids = {}
            # One after the other: the first start trains the intent model into DATA_DIR, the others load it.
            for number, port in enumerate(api_ports, start=1):
                name = f"api-{number}"
                api_env = {**env, "PORT": str(port)}
                pids[name] = stack.enter_context(
                    service_process(name, [agente, "serve"], api_env, work / f"{name}.log", port)
                )
            pids["worker"] = stack.enter_context(
                service_process("worker", [agente, "worker"], env, work / "worker.log", worker_port)
            )
            print(
                f"started: {', '.join(f'{name} (pid {pid})' for name, pid in pids.items())}; logs and data in {work}",
                flush=True,
            )
            if "LD_PRELOAD" in allocator:
                require_preloaded(pids, allocator["LD_PRELOAD"])
            try:
                yield Topology(
                    api_urls=tuple(f"http://{HOST}:{port}" for port in api_ports),
                    pids=pids,
                    ports={**{f"api-{n}": port for n, port in enumerate(api_ports, start=1)}, "worker": worker_port},
                    database_url=database_url,
                    redis_url=redis_url,
                    admin_token=admin_token,
                    app_secret=app_secret,
                    phone_number_id=PHONE_NUMBER_ID,
                    graph=graph,
                )
            finally:
                # A second Ctrl-C must not cut the clean-up short (processes, database, keys).
                signal.signal(signal.SIGINT, signal.SIG_IGN)
    finally:
        signal.signal(signal.SIGINT, previous_sigint)
