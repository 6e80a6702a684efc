"""The relay over the SQL outbox, on each backend (SQLite embedded, PostgreSQL): what the
in-memory tests show (``test_relay.py``), against the real claim and finish statements."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from agente.container import Container
from agente.outbox import OutboxRelay, PermanentJobError, RetryLater, backoff
from agente.storage import db
from agente.storage.models import OutboxJob


def _later(seconds: float) -> Any:
    return lambda: datetime.now(UTC) + timedelta(seconds=seconds)


async def _jobs(container: Container) -> list[OutboxJob]:
    async with db.session_scope(container.session_factory) as session:
        return list((await session.execute(select(OutboxJob).order_by(OutboxJob.id))).scalars())


async def _add(container: Container, kind: str, n: int = 1, **kwargs: Any) -> None:
    async with container.storage.begin() as uow:
        for i in range(n):
            await uow.outbox.enqueue(kind, {"n": i}, **kwargs)


async def test_enqueue_with_the_same_key_is_one_job(container: Container) -> None:
    async with container.storage.begin() as uow:
        first = await uow.outbox.enqueue("k", {"a": 1}, dedup_key="same")
        second = await uow.outbox.enqueue("k", {"a": 2}, dedup_key="same")
        assert first.id == second.id and first.created and not second.created
    assert len(await _jobs(container)) == 1


async def test_failing_job_backs_off_then_dies_after_max_attempts(container: Container) -> None:
    async def broken(payload: dict[str, Any]) -> None:
        raise RuntimeError("upstream said no")

    await _add(container, "broken", max_attempts=3)
    for step in range(3):
        relay = OutboxRelay(container.storage, {"broken": broken}, container.metrics, now=_later(step * 1000))
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
    relay = OutboxRelay(container.storage, {"wait": wait}, container.metrics)
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
    relay = OutboxRelay(container.storage, {"hopeless": hopeless}, container.metrics)
    assert await relay.run_once() == 2
    assert [(j.status, j.attempts) for j in await _jobs(container)] == [("dead", 1), ("dead", 1)]


async def test_two_workers_never_run_the_same_job(container: Container) -> None:
    runs: list[int] = []

    async def record(payload: dict[str, Any]) -> dict[str, Any]:
        runs.append(payload["n"])
        await asyncio.sleep(0.01)
        return {"ok": True}

    await _add(container, "record", n=30)
    workers = [OutboxRelay(container.storage, {"record": record}, container.metrics, batch_size=4) for _ in range(2)]
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


async def test_one_guest_s_jobs_run_one_at_a_time_in_order_across_workers(container: Container) -> None:
    started: list[str] = []
    running: set[str] = set()
    overlaps: list[str] = []

    async def turn(payload: dict[str, Any]) -> dict[str, Any]:
        key = payload["guest"]
        if key in running:
            overlaps.append(key)
        running.add(key)
        started.append(f"{key}{payload['n']}")
        await asyncio.sleep(0.02)
        running.discard(key)
        return {}

    async with container.storage.begin() as uow:
        for n in range(4):
            for guest in ("a", "b"):
                await uow.outbox.enqueue("turn", {"guest": guest, "n": n}, ordering_key=f"whatsapp:{guest}")
    workers = [OutboxRelay(container.storage, {"turn": turn}, container.metrics) for _ in range(3)]
    while any(j.status != "done" for j in await _jobs(container)):
        await asyncio.gather(*(w.run_once() for w in workers))
    assert overlaps == []
    assert [s for s in started if s[0] == "a"] == ["a0", "a1", "a2", "a3"]
    assert [s for s in started if s[0] == "b"] == ["b0", "b1", "b2", "b3"]


async def test_a_retrying_job_holds_its_key_and_a_dead_one_releases_it(container: Container) -> None:
    async def flaky(payload: dict[str, Any]) -> dict[str, Any]:
        if payload["n"] == 0:
            raise RuntimeError("not yet")
        return {}

    async with container.storage.begin() as uow:
        for n in range(2):
            await uow.outbox.enqueue("flaky", {"n": n}, ordering_key="email:guest@example.com", max_attempts=2)
        await uow.outbox.enqueue("flaky", {"n": 9}, ordering_key="email:other@example.com")
    relay = OutboxRelay(container.storage, {"flaky": flaky}, container.metrics)
    assert await relay.run_once() == 2  # the first of each key; the second waits behind the retry
    statuses = [j.status for j in await _jobs(container)]
    assert statuses == ["pending", "pending", "done"]
    later = OutboxRelay(container.storage, {"flaky": flaky}, container.metrics, now=_later(1000))
    assert await later.run_once() == 1  # the retry, which dies; the one behind it still waited
    assert [j.status for j in await _jobs(container)] == ["dead", "pending", "done"]
    assert await later.run_once() == 1
    assert [j.status for j in await _jobs(container)] == ["dead", "done", "done"]


async def test_drain_runs_what_jobs_enqueue_without_waiting_for_the_next_poll(container: Container) -> None:
    async def message(payload: dict[str, Any]) -> dict[str, Any]:
        async with container.storage.begin() as uow:
            await uow.outbox.enqueue("reply", {"to": payload["n"]})
        return {}

    async def reply(payload: dict[str, Any]) -> dict[str, Any]:
        return {}

    await _add(container, "message", n=3)
    relay = OutboxRelay(container.storage, {"message": message, "reply": reply}, container.metrics)
    assert await relay.drain() == 6
    assert [j.status for j in await _jobs(container)] == ["done"] * 6


async def test_a_batch_runs_side_by_side_up_to_the_concurrency(container: Container) -> None:
    in_flight = 0
    most = 0

    async def slow(payload: dict[str, Any]) -> dict[str, Any]:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return {}

    await _add(container, "slow", n=8)
    relay = OutboxRelay(container.storage, {"slow": slow}, container.metrics, concurrency=3)
    assert await relay.run_once() == 8
    assert most == 3
