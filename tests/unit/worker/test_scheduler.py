from __future__ import annotations

from agente.observability.metrics import Metrics
from agente.worker.scheduler import PeriodicJob, Scheduler


async def test_failing_job_is_counted_and_others_still_run() -> None:
    ran: list[str] = []

    async def broken() -> None:
        ran.append("broken")
        raise RuntimeError("boom")

    async def fine() -> int:
        ran.append("fine")
        return 1

    metrics = Metrics()
    scheduler = Scheduler([PeriodicJob("broken", 60, broken), PeriodicJob("fine", 60, fine)], metrics)

    assert await scheduler.run_due() == 2
    assert ran == ["broken", "fine"]
    assert metrics.registry.get_sample_value("worker_jobs_total", {"job": "broken", "outcome": "error"}) == 1
    assert metrics.registry.get_sample_value("worker_jobs_total", {"job": "fine", "outcome": "ok"}) == 1
    # Neither is due again before its interval.
    assert await scheduler.run_due() == 0


async def test_stop_ends_the_loop() -> None:
    calls = 0

    async def job() -> None:
        nonlocal calls
        calls += 1
        scheduler.stop()

    scheduler = Scheduler([PeriodicJob("once", 0.01, job)], Metrics(), tick=0.01)
    await scheduler.run()
    assert calls == 1


async def test_a_job_polled_faster_than_the_tick_runs_at_its_own_interval() -> None:
    import asyncio

    calls = 0

    async def poll() -> None:
        nonlocal calls
        calls += 1

    scheduler = Scheduler([PeriodicJob("poll", 0.05, poll)], Metrics(), tick=1.0)
    runner = asyncio.create_task(scheduler.run())
    await asyncio.sleep(0.5)
    scheduler.stop()
    await runner
    assert calls >= 5  # with the one-second tick alone it would have run once
