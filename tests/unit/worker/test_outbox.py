from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from agente.container import Container
from agente.storage import db
from agente.storage.models import OutboxJob
from agente.worker.outbox import OutboxRelay, PermanentJobError, RetryLater, backoff, enqueue


def _later(seconds: float) -> Any:
    return lambda: datetime.now(UTC) + timedelta(seconds=seconds)


async def _jobs(container: Container) -> list[OutboxJob]:
    async with db.session_scope(container.session_factory) as session:
        return list((await session.execute(select(OutboxJob).order_by(OutboxJob.id))).scalars())


async def _add(container: Container, kind: str, n: int = 1, **kwargs: Any) -> None:
    async with db.session_scope(container.session_factory) as session:
        for i in range(n):
            await enqueue(session, kind, {"n": i}, **kwargs)


async def test_enqueue_with_the_same_key_is_one_job(container: Container) -> None:
    async with db.session_scope(container.session_factory) as session:
        first = await enqueue(session, "k", {"a": 1}, dedup_key="same")
        second = await enqueue(session, "k", {"a": 2}, dedup_key="same")
        assert first.id == second.id
    assert len(await _jobs(container)) == 1


async def test_failing_job_backs_off_then_dies_after_max_attempts(container: Container) -> None:
    async def broken(payload: dict[str, Any]) -> None:
        raise RuntimeError("upstream said no")

    await _add(container, "broken", max_attempts=3)
    for step in range(3):
        relay = OutboxRelay(container.session_factory, {"broken": broken}, container.metrics, now=_later(step * 1000))
        assert await relay.run_once() == 1
    (job,) = await _jobs(container)
    assert job.status == "dead" and job.attempts == 3
    assert job.last_error == "RuntimeError: upstream said no"
    dead = container.metrics.registry.get_sample_value("outbox_jobs_total", {"kind": "broken", "outcome": "dead"})
    assert dead == 1


async def test_retry_later_can_keep_the_attempt(container: Container) -> None:
    async def wait(payload: dict[str, Any]) -> None:
        raise RetryLater("PMS still down", delay=30, spend_attempt=False)

    await _add(container, "wait")
    relay = OutboxRelay(container.session_factory, {"wait": wait}, container.metrics)
    assert await relay.run_once() == 1
    (job,) = await _jobs(container)
    assert job.status == "pending" and job.attempts == 0
    assert job.next_attempt_at > datetime.now(UTC) + timedelta(seconds=25)
    assert await relay.run_once() == 0  # not due yet


async def test_permanent_error_and_unknown_kind_die_at_once(container: Container) -> None:
    async def hopeless(payload: dict[str, Any]) -> None:
        raise PermanentJobError("token expired")

    await _add(container, "hopeless")
    await _add(container, "nobody-handles-this")
    relay = OutboxRelay(container.session_factory, {"hopeless": hopeless}, container.metrics)
    assert await relay.run_once() == 2
    assert [(j.status, j.attempts) for j in await _jobs(container)] == [("dead", 1), ("dead", 1)]


async def test_two_workers_never_run_the_same_job(container: Container) -> None:
    runs: list[int] = []

    async def record(payload: dict[str, Any]) -> dict[str, Any]:
        runs.append(payload["n"])
        await asyncio.sleep(0.01)
        return {"ok": True}

    await _add(container, "record", n=30)
    workers = [
        OutboxRelay(container.session_factory, {"record": record}, container.metrics, batch_size=4) for _ in range(2)
    ]
    while any(j.status != "done" for j in await _jobs(container)):
        await asyncio.gather(*(w.run_once() for w in workers))
    assert sorted(runs) == list(range(30))
    counts = await workers[0].counts()
    assert counts == {"done": 30}
    assert container.metrics.registry.get_sample_value("outbox_jobs_by_status", {"status": "done"}) == 30


def test_backoff_grows_and_is_capped() -> None:
    import random

    rng = random.Random(1)
    delays = [backoff(n, base=2, cap=60, rng=rng) for n in (1, 2, 3, 4, 10)]
    assert 1 <= delays[0] <= 3 and 2 <= delays[1] <= 6 and 4 <= delays[2] <= 12
    assert delays[-1] <= 90
