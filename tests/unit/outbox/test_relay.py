"""The relay over the in-memory outbox: outcomes, dead letters, ordering, leases and fencing."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from agente.observability.logging import configure_logging
from agente.observability.metrics import Metrics
from agente.outbox import OutboxRelay, PermanentJobError, RetryLater, UnreadablePayloadError
from agente.storage.unit_of_work import MemoryStorage


@pytest.fixture
def storage() -> MemoryStorage:
    return MemoryStorage()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


class Logs:
    def __init__(self) -> None:
        self.out = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.getvalue().splitlines() if line.startswith("{")]

    def events(self, event: str) -> list[dict[str, Any]]:
        return [line for line in self.lines() if line.get("event") == event]


@pytest.fixture
def logs() -> Iterator[Logs]:
    captured = Logs()
    configure_logging("INFO", stream=captured.out)
    try:
        yield captured
    finally:
        configure_logging("INFO")


def _jobs(storage: MemoryStorage) -> list[dict[str, Any]]:
    table = storage.data.tables.get("outbox")
    return [] if table is None else [table.jobs[i] for i in sorted(table.jobs)]


async def _add(storage: MemoryStorage, kind: str, n: int = 1, **kwargs: Any) -> None:
    async with storage.begin() as uow:
        for i in range(n):
            await uow.outbox.enqueue(kind, {"n": i}, **kwargs)


def _count(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def _later(seconds: float) -> Any:
    return lambda: datetime.now(UTC) + timedelta(seconds=seconds)


async def test_a_job_that_succeeds_is_done_with_its_result(storage: MemoryStorage, metrics: Metrics) -> None:
    async def send(payload: dict[str, Any]) -> dict[str, Any]:
        return {"sent": payload["n"]}

    await _add(storage, "send")
    assert await OutboxRelay(storage, {"send": send}, metrics).run_once() == 1
    (job,) = _jobs(storage)
    assert (job["status"], job["attempts"], job["result"], job["locked_until"]) == ("done", 1, {"sent": 0}, None)
    assert _count(metrics, "outbox_jobs_total", kind="send", outcome="done") == 1


async def test_retry_later_keeps_progress_and_can_give_the_attempt_back(
    storage: MemoryStorage, metrics: Metrics
) -> None:
    async def send(payload: dict[str, Any]) -> None:
        raise RetryLater("busy", delay=30, spend_attempt=False, progress={"sent_parts": ["wamid.1"]})

    await _add(storage, "send")
    relay = OutboxRelay(storage, {"send": send}, metrics)
    assert await relay.run_once() == 1
    (job,) = _jobs(storage)
    assert job["status"] == "pending" and job["attempts"] == 0 and job["last_error"] == "busy"
    assert job["payload"] == {"n": 0, "sent_parts": ["wamid.1"]}
    assert job["next_attempt_at"] > datetime.now(UTC) + timedelta(seconds=25)
    assert await relay.run_once() == 0  # not due yet


async def test_an_ordinary_failure_backs_off_and_dies_after_its_attempts(
    storage: MemoryStorage, metrics: Metrics, logs: Logs
) -> None:
    async def broken(payload: dict[str, Any]) -> None:
        raise RuntimeError("upstream said no")

    await _add(storage, "broken", max_attempts=3)
    for step in range(3):
        assert await OutboxRelay(storage, {"broken": broken}, metrics, now=_later(step * 1000)).run_once() == 1
        assert _jobs(storage)[0]["status"] == ("dead" if step == 2 else "pending")
    (job,) = _jobs(storage)
    assert job["attempts"] == 3 and job["last_error"] == "RuntimeError: upstream said no"
    assert _count(metrics, "outbox_dead_letters_total", kind="broken", reason="attempts_exhausted") == 1
    assert len(logs.events("outbox job failed, will retry")) == 2


class _Unstorable(Exception):
    """What SQLAlchemy raises for the driver error it wraps (``raise ... from``)."""


def _text_with_nul() -> Exception:
    try:
        raise asyncpg.exceptions.CharacterNotInRepertoireError('invalid byte sequence for encoding "UTF8": 0x00')
    except asyncpg.exceptions.PostgresError as driver:
        wrapped = _Unstorable("(asyncpg) invalid byte sequence [SQL: INSERT ...] [parameters: ('hola\\x00 Ana',)]")
        wrapped.__cause__ = driver
        return wrapped


def _lone_surrogate() -> Exception:
    try:
        "\ud800".encode()
    except UnicodeEncodeError as exc:
        return exc
    raise AssertionError("a lone surrogate encoded")


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (lambda: PermanentJobError("token expired"), "permanent"),
        (lambda: UnreadablePayloadError("unreadable delivery"), "unreadable_payload"),
        (_text_with_nul, "unstorable"),
        (
            lambda: asyncpg.exceptions.StringDataRightTruncationError("value too long for type character varying(128)"),
            "unstorable",
        ),
        (lambda: asyncpg.exceptions.UntranslatableCharacterError("unsupported Unicode escape sequence"), "unstorable"),
        (_lone_surrogate, "unstorable"),
    ],
    ids=["permanent", "unreadable", "nul", "too-long", "untranslatable", "surrogate"],
)
async def test_an_error_no_retry_can_fix_is_a_dead_letter_at_once(
    storage: MemoryStorage, metrics: Metrics, logs: Logs, failure: Any, reason: str
) -> None:
    async def handler(payload: dict[str, Any]) -> None:
        raise failure()

    await _add(storage, "whatsapp.delivery", max_attempts=50)
    assert await OutboxRelay(storage, {"whatsapp.delivery": handler}, metrics).run_once() == 1
    (job,) = _jobs(storage)
    assert job["status"] == "dead" and job["attempts"] == 1
    assert _count(metrics, "outbox_dead_letters_total", kind="whatsapp.delivery", reason=reason) == 1
    assert _count(metrics, "outbox_jobs_total", kind="whatsapp.delivery", outcome="dead") == 1
    (line,) = logs.events("outbox job dead-lettered")
    assert line["level"] == "warning" and line["reason"] == reason and line["job_kind"] == "whatsapp.delivery"
    # Neither the log line nor the stored error repeats what the guest wrote (or the SQL).
    assert "hola" not in json.dumps(line) and "hola" not in job["last_error"] and "[SQL" not in job["last_error"]


async def test_a_job_of_a_kind_no_handler_knows_is_a_dead_letter(storage: MemoryStorage, metrics: Metrics) -> None:
    await _add(storage, "nobody-handles-this")
    assert await OutboxRelay(storage, {}, metrics).run_once() == 1
    assert _jobs(storage)[0]["status"] == "dead"
    assert _count(metrics, "outbox_dead_letters_total", kind="nobody-handles-this", reason="no_handler") == 1


async def test_a_dead_letter_releases_the_guest_s_next_jobs(storage: MemoryStorage, metrics: Metrics) -> None:
    ran: list[int] = []

    async def turn(payload: dict[str, Any]) -> dict[str, Any]:
        if payload["n"] == 0:
            raise asyncpg.exceptions.CharacterNotInRepertoireError("invalid byte sequence")
        ran.append(payload["n"])
        return {}

    await _add(storage, "turn", n=3, ordering_key="whatsapp:34600000001", max_attempts=50)
    relay = OutboxRelay(storage, {"turn": turn}, metrics)
    assert await relay.run_once() == 1  # the first alone: the others wait behind it
    assert [j["status"] for j in _jobs(storage)] == ["dead", "pending", "pending"]
    assert await relay.drain() == 2
    assert ran == [1, 2] and [j["status"] for j in _jobs(storage)] == ["dead", "done", "done"]


async def test_a_retrying_job_holds_the_jobs_behind_it(storage: MemoryStorage, metrics: Metrics) -> None:
    async def flaky(payload: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("not yet")

    await _add(storage, "flaky", n=2, ordering_key="email:guest@example.com")
    for step in range(3):
        assert await OutboxRelay(storage, {"flaky": flaky}, metrics, now=_later(step * 1000)).run_once() == 1
    assert [(j["status"], j["attempts"]) for j in _jobs(storage)] == [("pending", 3), ("pending", 0)]


async def test_a_long_job_keeps_its_lease_and_runs_once_with_two_workers(
    storage: MemoryStorage, metrics: Metrics
) -> None:
    runs: list[tuple[str, int]] = []

    def handler(worker: str) -> Any:
        async def turn(payload: dict[str, Any]) -> dict[str, Any]:
            runs.append((worker, payload["n"]))
            await asyncio.sleep(1.2 if payload["n"] == 0 else 0)  # four times its lease
            return {"by": worker}

        return turn

    await _add(storage, "turn", n=2, ordering_key="whatsapp:34600000001")
    workers = [OutboxRelay(storage, {"turn": handler(name)}, metrics, lease_seconds=0.3) for name in ("a", "b")]

    async def poll(relay: OutboxRelay) -> None:
        while any(j["status"] != "done" for j in _jobs(storage)):
            await relay.run_once()
            await asyncio.sleep(0.01)

    await asyncio.wait_for(asyncio.gather(*(poll(w) for w in workers)), timeout=10)
    assert [n for _, n in runs] == [0, 1]  # each once, in order
    assert [j["attempts"] for j in _jobs(storage)] == [1, 1]
    assert _count(metrics, "outbox_jobs_total", kind="turn", outcome="lease_lost") == 0


async def test_a_worker_that_lost_its_lease_changes_nothing(
    storage: MemoryStorage, metrics: Metrics, logs: Logs
) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    async def stalled(payload: dict[str, Any]) -> dict[str, Any]:
        started.set()
        await release.wait()
        return {"by": "stalled"}

    async def current(payload: dict[str, Any]) -> dict[str, Any]:
        return {"by": "current"}

    await _add(storage, "turn", delay=-120)
    # Its clock a minute behind: the lease it takes has already run out for everyone else
    # (as for a worker that stalled longer than its lease).
    behind = OutboxRelay(storage, {"turn": stalled}, metrics, lease_seconds=0.15, now=_later(-60))
    first = asyncio.create_task(behind.run_once())
    await asyncio.wait_for(started.wait(), timeout=5)
    assert await OutboxRelay(storage, {"turn": current}, metrics).run_once() == 1
    await asyncio.sleep(0.1)  # the stalled worker's next renewal is refused
    release.set()
    assert await first == 1

    (job,) = _jobs(storage)
    assert (job["status"], job["result"], job["attempts"], job["lease_version"]) == ("done", {"by": "current"}, 2, 2)
    assert _count(metrics, "outbox_jobs_total", kind="turn", outcome="lease_lost") == 1
    assert _count(metrics, "outbox_jobs_total", kind="turn", outcome="done") == 1
    assert len(logs.events("outbox job lease lost while running")) == 1
    (refused,) = logs.events("outbox job lease lost, outcome not recorded")
    assert refused["outcome"] == "done" and refused["job_id"] == job["id"]


async def test_a_stale_worker_cannot_bury_or_retry_the_job_either(storage: MemoryStorage, metrics: Metrics) -> None:
    async with storage.begin() as uow:
        await uow.outbox.enqueue("turn", {})
        now = datetime.now(UTC)
        (stale,) = await uow.outbox.claim(now=now, lease_until=now - timedelta(seconds=1), limit=5)
        (owner,) = await uow.outbox.claim(now=now, lease_until=now + timedelta(seconds=60), limit=5)
        assert owner.lease_version == stale.lease_version + 1
        assert not await uow.outbox.extend(stale, lease_until=now + timedelta(seconds=60))
        assert not await uow.outbox.retry(stale, at=now, error="x")
        assert not await uow.outbox.bury(stale, now=now, error="x")
        assert not await uow.outbox.complete(stale, now=now, result={})
        assert await uow.outbox.extend(owner, lease_until=now + timedelta(seconds=90))
        assert await uow.outbox.complete(owner, now=now, result={"ok": True})
        # Finished: not even its owner writes it again.
        assert not await uow.outbox.bury(owner, now=now, error="late")
    (job,) = _jobs(storage)
    assert job["status"] == "done" and job["last_error"] is None


async def test_counts_feed_the_backlog_gauge(storage: MemoryStorage, metrics: Metrics) -> None:
    async def ok(payload: dict[str, Any]) -> None:
        return None

    await _add(storage, "ok", n=2)
    await _add(storage, "later", delay=3600)
    relay = OutboxRelay(storage, {"ok": ok}, metrics)
    await relay.run_once()
    assert await relay.counts() == {"done": 2, "pending": 1}
    assert _count(metrics, "outbox_jobs_by_status", status="done") == 2
    assert _count(metrics, "outbox_jobs_by_status", status="dead") == 0
