from __future__ import annotations

import fakeredis
import pytest

from agente.observability.metrics import Metrics
from agente.pms.errors import CircuitOpenError, PmsRejectedError, PmsTimeoutError, PmsUnavailableError
from agente.pms.resilience.breaker import (
    Admission,
    BreakerConfig,
    CircuitBreaker,
    Snapshot,
    State,
    admit,
    record,
)
from agente.storage.redis import RedisStore, create_client
from tests.conftest import REDIS_SERVER_URL, RedisProcess

CFG = BreakerConfig(failure_threshold=3, recovery_timeout=30, half_open_max_calls=2)


def test_closed_opens_after_threshold_consecutive_failures() -> None:
    s = Snapshot()
    s = record(s, False, 1, CFG)
    s = record(s, False, 2, CFG)
    assert s.state is State.CLOSED and s.failures == 2
    s = record(s, True, 3, CFG)  # a success in between resets the count
    assert s == Snapshot()
    for t in (4, 5, 6):
        s = record(s, False, t, CFG)
    assert s == Snapshot(State.OPEN, 3, 6, 0)


def test_open_rejects_until_recovery_then_admits_limited_probes() -> None:
    opened = Snapshot(State.OPEN, 3, 100, 0)
    assert admit(opened, 129.9, CFG) == (opened, Admission.REJECT)
    s, a = admit(opened, 130, CFG)
    assert a is Admission.PROBE and s == Snapshot(State.HALF_OPEN, 3, 130, 1)
    s, a = admit(s, 130.1, CFG)
    assert a is Admission.PROBE and s.probes == 2
    s2, a = admit(s, 130.2, CFG)
    assert a is Admission.REJECT and s2 == s


def test_half_open_probe_outcomes() -> None:
    half = Snapshot(State.HALF_OPEN, 3, 130, 1)
    assert record(half, True, 131, CFG) == Snapshot()
    assert record(half, False, 131, CFG) == Snapshot(State.OPEN, 4, 131, 0)


def test_lost_probes_are_forgotten_after_recovery_timeout() -> None:
    stuck = Snapshot(State.HALF_OPEN, 3, 130, 2)
    assert admit(stuck, 159, CFG)[1] is Admission.REJECT
    s, a = admit(stuck, 160, CFG)
    assert a is Admission.PROBE and s == Snapshot(State.HALF_OPEN, 3, 160, 1)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _breaker(store: RedisStore, clock: Clock, metrics: Metrics | None = None) -> CircuitBreaker:
    return CircuitBreaker(store, metrics or Metrics(), CFG, clock=clock, config_refresh_seconds=0)


async def _fail() -> None:
    raise PmsTimeoutError("slow")


async def _ok() -> str:
    return "ok"


def _sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_breaker_transitions_metrics_and_refusals_with_fake_clock() -> None:
    clock, metrics = Clock(), Metrics()
    breaker = _breaker(RedisStore(fakeredis.FakeAsyncRedis(decode_responses=True)), clock, metrics)
    calls = 0

    async def counted() -> str:
        nonlocal calls
        calls += 1
        return "ok"

    for _ in range(3):
        with pytest.raises(PmsTimeoutError):
            await breaker.call(_fail)
    assert (await breaker.snapshot()).state is State.OPEN
    assert _sample(metrics, "pms_circuit_breaker_state") == 1
    assert _sample(metrics, "pms_circuit_breaker_calls_total", result="failure") == 3

    with pytest.raises(CircuitOpenError) as refused:
        await breaker.call(counted)
    assert calls == 0 and refused.value.retry_in == 30
    assert _sample(metrics, "pms_circuit_breaker_calls_total", result="rejected") == 1

    clock.now += 30
    assert await breaker.call(counted) == "ok"
    assert calls == 1
    assert (await breaker.snapshot()).state is State.CLOSED
    assert _sample(metrics, "pms_circuit_breaker_state") == 0


async def test_a_rejection_is_not_a_failure() -> None:
    breaker = _breaker(RedisStore(fakeredis.FakeAsyncRedis(decode_responses=True)), Clock())

    async def no_rooms() -> None:
        raise PmsRejectedError("Requested room(s) not available.")

    for _ in range(5):
        with pytest.raises(PmsRejectedError):
            await breaker.call(no_rooms)
    assert (await breaker.snapshot()).state is State.CLOSED


async def test_half_open_lets_exactly_the_configured_probes_through() -> None:
    clock = Clock()
    breaker = _breaker(RedisStore(fakeredis.FakeAsyncRedis(decode_responses=True)), clock)
    for _ in range(3):
        with pytest.raises(PmsTimeoutError):
            await breaker.call(_fail)
    clock.now += 31
    import asyncio

    gate = asyncio.Event()
    entered = 0

    async def slow_probe() -> str:
        nonlocal entered
        entered += 1
        await gate.wait()
        return "ok"

    probes = [asyncio.create_task(breaker.call(slow_probe)) for _ in range(2)]
    await asyncio.sleep(0.01)
    with pytest.raises(CircuitOpenError):
        await breaker.call(slow_probe)
    assert entered == 2
    gate.set()
    assert await asyncio.gather(*probes) == ["ok", "ok"]
    assert (await breaker.snapshot()).state is State.CLOSED


async def test_two_processes_share_one_breaker_through_redis(redis_prefix: str) -> None:
    clock = Clock()
    a_store = RedisStore(create_client(REDIS_SERVER_URL, 0.5), prefix=redis_prefix + "brk:")
    b_store = RedisStore(create_client(REDIS_SERVER_URL, 0.5), prefix=redis_prefix + "brk:")
    a, b = _breaker(a_store, clock), _breaker(b_store, clock)
    with pytest.raises(PmsTimeoutError):
        await a.call(_fail)
    with pytest.raises(PmsTimeoutError):
        await b.call(_fail)
    with pytest.raises(PmsTimeoutError):
        await a.call(_fail)
    # Three failures across two clients open it for both.
    with pytest.raises(CircuitOpenError):
        await b.call(_ok)
    await b.reset()
    assert await a.call(_ok) == "ok"
    await a_store.client.delete(a_store.key("pms:breaker:state"))
    await a_store.close()
    await b_store.close()


async def test_runtime_config_change_applies_without_restart() -> None:
    clock = Clock()
    store = RedisStore(fakeredis.FakeAsyncRedis(decode_responses=True))
    breaker = _breaker(store, clock)
    before, after = await breaker.configure(failure_threshold=1, recovery_timeout=60)
    assert before.failure_threshold == 3 and after.failure_threshold == 1
    other = _breaker(store, clock)  # another process reads the same config
    with pytest.raises(PmsTimeoutError):
        await other.call(_fail)
    with pytest.raises(CircuitOpenError) as refused:
        await other.call(_ok)
    assert refused.value.retry_in == 60
    with pytest.raises(Exception, match="failure_threshold"):
        await breaker.configure(failure_threshold=0)


async def test_breaker_works_on_its_own_when_redis_is_down(redis_process: RedisProcess) -> None:
    clock = Clock()
    store = RedisStore(create_client(redis_process.url, 0.2), backoff=0)
    breaker = _breaker(store, clock)
    redis_process.stop()
    for _ in range(3):
        with pytest.raises(PmsUnavailableError):
            await breaker.call(_fail)
    with pytest.raises(CircuitOpenError):
        await breaker.call(_ok)
    await store.close()


async def test_open_refusals_are_logged_once_per_interval(capsys: pytest.CaptureFixture[str]) -> None:
    from agente.observability.logging import configure_logging

    configure_logging("INFO")
    clock = Clock()
    breaker = _breaker(RedisStore(fakeredis.FakeAsyncRedis(decode_responses=True)), clock)
    for _ in range(3):
        with pytest.raises(PmsTimeoutError):
            await breaker.call(_fail)
    for _ in range(50):
        with pytest.raises(CircuitOpenError):
            await breaker.call(_ok)
    out = capsys.readouterr().out
    assert out.count("Circuit breaker is OPEN") == 1
