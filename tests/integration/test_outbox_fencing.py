"""Leases on PostgreSQL with two workers: a long job keeps its lease and runs once, a worker
that lost its lease cannot finish the job, and one guest's jobs keep their order.

Each worker has its own engine (its own connections), as two ``agente worker`` processes do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from agente.config import Settings
from agente.observability.metrics import Metrics
from agente.outbox import Handler, OutboxRelay
from agente.storage import db
from agente.storage.unit_of_work import SqlStorage

pytestmark = pytest.mark.postgres

GUEST = "whatsapp:34600000042"


class Workers:
    """Two workers' storages over the run's database, and a look at the outbox table."""

    def __init__(self, pg_database: str) -> None:
        self.engines = [db.create_engine(Settings(env="test", database_url=pg_database)) for _ in range(2)]
        self.storages = [SqlStorage(db.create_session_factory(engine)) for engine in self.engines]

    async def jobs(self) -> list[dict[str, Any]]:
        async with self.engines[0].connect() as conn:
            rows = await conn.execute(
                text("SELECT id, status, attempts, lease_version, result FROM outbox ORDER BY id")
            )
            return [dict(row._mapping) for row in rows]


@pytest.fixture
async def workers(pg_database: str) -> AsyncIterator[Workers]:
    """The outbox is emptied afterwards (the run's other tests share the database)."""
    both = Workers(pg_database)
    yield both
    async with both.engines[0].begin() as conn:
        await conn.execute(text("TRUNCATE outbox RESTART IDENTITY"))
    for engine in both.engines:
        await engine.dispose()


async def _enqueue(storage: SqlStorage, n: int, **kwargs: Any) -> None:
    async with storage.begin() as uow:
        for i in range(n):
            await uow.outbox.enqueue("turn", {"n": i}, ordering_key=GUEST, **kwargs)


def _clock(offset: float) -> Callable[[], datetime]:
    return lambda: datetime.now(UTC) + timedelta(seconds=offset)


def _count(metrics: Metrics, outcome: str) -> float:
    return metrics.registry.get_sample_value("outbox_jobs_total", {"kind": "turn", "outcome": outcome}) or 0.0


async def test_a_job_longer_than_its_lease_runs_once_and_in_order_with_two_workers(
    workers: Workers,
) -> None:
    events: list[tuple[str, str, int, float]] = []

    def turn(worker: str) -> Handler:
        async def run(payload: dict[str, Any]) -> dict[str, Any]:
            events.append(("start", worker, payload["n"], time.monotonic()))
            await asyncio.sleep(1.5 if payload["n"] == 0 else 0.05)  # the first: five leases long
            events.append(("end", worker, payload["n"], time.monotonic()))
            return {"by": worker}

        return run

    await _enqueue(workers.storages[0], 2)
    metrics = Metrics()
    relays = [
        OutboxRelay(storage, {"turn": turn(name)}, metrics, lease_seconds=0.3, concurrency=4)
        for storage, name in zip(workers.storages, ("a", "b"), strict=True)
    ]

    async def poll(relay: OutboxRelay) -> None:
        while any(job["status"] != "done" for job in await workers.jobs()):
            await relay.run_once()
            await asyncio.sleep(0.02)

    await asyncio.wait_for(asyncio.gather(*(poll(r) for r in relays)), timeout=30)

    starts = [(n, at) for kind, _, n, at in events if kind == "start"]
    assert [n for n, _ in starts] == [0, 1]  # each job once
    first_end = next(at for kind, _, n, at in events if kind == "end" and n == 0)
    assert starts[1][1] >= first_end  # the guest's second job only after the first finished
    jobs = await workers.jobs()
    assert [(j["status"], j["attempts"], j["lease_version"]) for j in jobs] == [("done", 1, 1), ("done", 1, 1)]
    assert _count(metrics, "lease_lost") == 0 and _count(metrics, "done") == 2


async def test_renewal_keeps_a_long_job_from_being_claimed_again(workers: Workers) -> None:
    running = asyncio.Event()

    async def long(payload: dict[str, Any]) -> dict[str, Any]:
        running.set()
        await asyncio.sleep(1.2)
        return {}

    await _enqueue(workers.storages[0], 1)
    owner = OutboxRelay(workers.storages[0], {"turn": long}, Metrics(), lease_seconds=0.3)
    other = OutboxRelay(workers.storages[1], {"turn": long}, Metrics(), lease_seconds=0.3)
    task = asyncio.create_task(owner.run_once())
    await asyncio.wait_for(running.wait(), timeout=10)
    claimed_by_other = 0
    while not task.done():
        claimed_by_other += await other.run_once()
        await asyncio.sleep(0.05)
    assert await task == 1 and claimed_by_other == 0
    (job,) = await workers.jobs()
    assert (job["status"], job["attempts"], job["lease_version"]) == ("done", 1, 1)


async def test_a_worker_that_lost_its_lease_cannot_finish_the_job(workers: Workers) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    order: list[str] = []

    async def stalled(payload: dict[str, Any]) -> dict[str, Any]:
        started.set()
        await release.wait()
        order.append(f"stalled finished {payload['n']}")
        return {"by": "stalled"}

    async def current(payload: dict[str, Any]) -> dict[str, Any]:
        order.append(f"current ran {payload['n']}")
        return {"by": "current"}

    # Due a while ago: the stalled worker's clock runs a minute behind, so the lease it takes
    # has already run out for everyone else (as for a worker paused longer than its lease).
    await _enqueue(workers.storages[0], 2, delay=-120)
    metrics = Metrics()
    behind = OutboxRelay(workers.storages[0], {"turn": stalled}, metrics, lease_seconds=0.3, now=_clock(-60))
    live = OutboxRelay(workers.storages[1], {"turn": current}, metrics, lease_seconds=30)
    first = asyncio.create_task(behind.run_once())
    await asyncio.wait_for(started.wait(), timeout=10)

    assert await live.run_once() == 1  # the guest's first job, claimed again
    assert await live.run_once() == 1  # then, only then, the second
    release.set()
    assert await first == 1

    assert order == ["current ran 0", "current ran 1", "stalled finished 0"]
    jobs = await workers.jobs()
    assert [(j["status"], j["result"], j["attempts"]) for j in jobs] == [
        ("done", {"by": "current"}, 2),
        ("done", {"by": "current"}, 1),
    ]
    assert jobs[0]["lease_version"] == 2
    assert _count(metrics, "lease_lost") == 1 and _count(metrics, "done") == 2
