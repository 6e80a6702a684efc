"""Mixed load and soak: the production topology on one machine under a mixed workload.

One run starts, on 127.0.0.1 with free ports:

* two ``agente serve`` processes (the load generator sends requests to them in turn, as a
  round-robin balancer would) and one ``agente worker`` (its ``/metrics`` and health on
  ``WORKER_METRICS_PORT``), all with ``ENV=production``, ``LOG_LEVEL=INFO`` (``--log-level``),
  the default ``PMS_TYPE`` (the simulator) and otherwise the production defaults;
* PostgreSQL: an empty database created for the run on ``--postgres-url``'s server, migrated,
  and dropped at the end; Redis at ``--redis-url`` under a key prefix of its own, whose keys
  are deleted at the end;
* the Graph API double (``tests/channels/graph_double.py``) served by uvicorn in a thread, so
  the worker really sends the WhatsApp replies.

N virtual users, each one request at a time with no pause, pick every request at random:
50 % a turn of a booking dialogue on ``POST /api/messages`` (each dialogue a new guest, from
its own address in ``X-Forwarded-For``, which the service believes from 127.0.0.1: the
default per-client rate limit stays in force and no guest comes near it), 20 % a signed
``POST /webhooks/whatsapp`` delivery of a WhatsApp guest's next dialogue message, 15 % a
health probe and 15 % an admin read. Any answer other than 2xx, and any failed request, is
an error.

* Stepped (default): each ``--levels`` concurrency runs ``--warmup-seconds`` unmeasured, then
  ``--step-seconds`` measured; then the worker's backlog is waited for. The report gives, per
  level, throughput and per-endpoint p50/p95/p99 and errors, the time from a guest's first
  WhatsApp delivery to the reply reaching the Graph double, the CPU each process used, and
  names the highest level at which every endpoint's p95 is under 300 ms with no error (it
  and every lower level). wrk against ``bench/bare_app.py`` (as ``http_load.py`` does),
  measured first, is the baseline that level's throughput is compared with.
* Soak (``--soak-minutes M``): ``--soak-concurrency`` users for M minutes; every
  ``--sample-seconds`` each process's RSS, open descriptors, PostgreSQL and Redis
  connections and CPU, the database's ``pg_stat_activity`` and Redis's ``connected_clients``
  are sampled and written to ``--samples`` (JSON); the end prints each process's growth per
  hour, a straight line fitted to the samples after the warm-up (``--soak-warmup-minutes``,
  5 by default, and never more than two thirds of the run), against the aims: RSS under
  10 MB/hour, no growth in descriptors or connections. ``--fit SAMPLES`` fits a finished
  soak's samples again, after another warm-up, without running anything.

Processes are stopped by their ids, the database dropped and the Redis keys deleted however
the run ends (error, Ctrl-C, SIGTERM). Needs ``wrk`` for the stepped mode
(``apt-get install -y wrk``). The parts live next to this file: ``mixed_topology.py``
(bringing the processes up and down), ``mixed_workload.py`` (the virtual users) and
``process_probe.py`` (what a process uses, from ``/proc``).

Usage: ``python bench/mixed_load.py --levels 2,4,8,16,32 --step-seconds 30`` or
``python bench/mixed_load.py --soak-minutes 60``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from redis import asyncio as aioredis

from http_load import (
    WRK_INSTALL,
    BenchError,
    Load,
    _exit_on_sigterm,
    bench_bare,
    machine_facts,
    print_machine,
    source_revision,
)
from mixed_topology import Topology, image_allocator_env, production_topology
from mixed_workload import EndpointStats, Sample, Workload, endpoint_stats, percentile, users
from process_probe import (
    LOAD_GENERATOR,
    CpuClock,
    ProcessSample,
    cpu_clock,
    cpu_cores,
    format_cores,
    process_sample,
    socket_peers,
)

P95_AIM_MS = 300.0
RSS_AIM_MB_PER_HOUR = 10.0
MB = 1_000_000


# ------------------------------------------------------------------------------- levels


@dataclass(frozen=True)
class LevelResult:
    concurrency: int
    seconds: float
    requests: int
    requests_per_s: float
    errors: int
    endpoints: list[EndpointStats]
    off_script_replies: int
    dialogues_finished: int
    whatsapp_first_replies: int
    whatsapp_first_deliveries: int
    whatsapp_reply_p50_ms: float | None
    whatsapp_reply_p95_ms: float | None
    outbox_backlog_at_end: int
    outbox_drain_s: float
    outbox_dead: int
    bookings_confirmed: int
    cpu_cores: dict[str, float]

    def sustained(self) -> bool:
        return self.errors == 0 and all(e.p95_ms < P95_AIM_MS for e in self.endpoints)


async def outbox_counts(database_url: str) -> tuple[int, int]:
    """(jobs pending or running, dead jobs) in the run's database."""
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE status IN ('pending', 'running')) AS busy, "
            "count(*) FILTER (WHERE status = 'dead') AS dead FROM outbox"
        )
        return int(row["busy"]), int(row["dead"])
    finally:
        await conn.close()


async def bookings_confirmed(database_url: str) -> int:
    conn = await asyncpg.connect(database_url, timeout=10)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM bookings WHERE status = 'confirmed'"))
    finally:
        await conn.close()


async def drain_outbox(database_url: str, wait_at_most: float) -> tuple[int, float, int]:
    """Wait until the worker has no job pending or running; (backlog at start, seconds waited, dead jobs)."""
    started = time.monotonic()
    backlog, dead = await outbox_counts(database_url)
    busy = backlog
    while busy and time.monotonic() - started < wait_at_most:
        await asyncio.sleep(0.25)
        busy, dead = await outbox_counts(database_url)
    if busy:
        print(f"  warning: {busy} outbox jobs still pending after {wait_at_most:g}s", file=sys.stderr)
    return backlog, round(time.monotonic() - started, 1), dead


async def run_level(workload: Workload, concurrency: int, args: argparse.Namespace) -> LevelResult:
    topology = workload.topology
    before_bookings = await bookings_confirmed(topology.database_url)
    before_dialogues, before_off = workload.dialogues_done, workload.off_script
    pids = {**topology.pids, LOAD_GENERATOR: os.getpid()}
    async with users(workload, concurrency):
        await asyncio.sleep(args.warmup_seconds)
        window_start, wall_start, cpu_start = time.monotonic(), time.time(), cpu_clock(pids)
        await asyncio.sleep(args.step_seconds)
        window_end, wall_end, cpu_end = time.monotonic(), time.time(), cpu_clock(pids)
    samples = [s for s in workload.samples if window_start <= s.started < window_end]
    workload.samples.clear()
    backlog, drain_s, dead = await drain_outbox(topology.database_url, args.drain_timeout)
    first = {g: t for g, t in workload.first_post.items() if wall_start <= t < wall_end}
    replies = sorted(
        (topology.graph.first_reply[g] - t) * 1000 for g, t in first.items() if g in topology.graph.first_reply
    )
    seconds = window_end - window_start
    errors = sum(1 for s in samples if s.failed)
    return LevelResult(
        concurrency=concurrency,
        seconds=round(seconds, 1),
        requests=len(samples),
        requests_per_s=round(len(samples) / seconds, 1),
        errors=errors,
        endpoints=endpoint_stats(samples, seconds),
        off_script_replies=workload.off_script - before_off,
        dialogues_finished=workload.dialogues_done - before_dialogues,
        whatsapp_first_replies=len(replies),
        whatsapp_first_deliveries=len(first),
        whatsapp_reply_p50_ms=round(percentile(replies, 0.5)) if replies else None,
        whatsapp_reply_p95_ms=round(percentile(replies, 0.95)) if replies else None,
        outbox_backlog_at_end=backlog,
        outbox_drain_s=drain_s,
        outbox_dead=dead,
        bookings_confirmed=await bookings_confirmed(topology.database_url) - before_bookings,
        cpu_cores=cpu_cores(cpu_start, cpu_end),
    )


def print_endpoints(endpoints: Sequence[EndpointStats]) -> None:
    print("| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for e in endpoints:
        print(
            f"| {e.endpoint} | {e.requests} | {e.requests_per_s:g} | {e.p50_ms:g} | {e.p95_ms:g} | {e.p99_ms:g} "
            f"| {e.errors} |"
        )


def print_level(level: LevelResult) -> None:
    verdict = "sustained" if level.sustained() else "NOT sustained"
    print(
        f"\n{level.concurrency} users: {level.requests_per_s:,.1f} req/s ({level.requests} in {level.seconds:g}s), "
        f"{level.errors} errors — {verdict}"
    )
    print_endpoints(level.endpoints)
    if level.whatsapp_reply_p50_ms is not None:
        whatsapp = (
            f"WhatsApp delivery → first reply at the Graph API: p50 {level.whatsapp_reply_p50_ms:,} ms, "
            f"p95 {level.whatsapp_reply_p95_ms:,} ms ({level.whatsapp_first_replies}/{level.whatsapp_first_deliveries})"
        )
    else:
        whatsapp = "no WhatsApp reply measured"
    print(
        f"{whatsapp}; outbox backlog at the end {level.outbox_backlog_at_end}, drained in {level.outbox_drain_s:g}s, "
        f"dead jobs {level.outbox_dead}; dialogues finished {level.dialogues_finished}, bookings confirmed "
        f"{level.bookings_confirmed}, replies off the script {level.off_script_replies}"
    )
    print(f"CPU cores used while measured: {format_cores(level.cpu_cores)}")
    api_cores = sum(cores for name, cores in level.cpu_cores.items() if name.startswith("api-"))
    if level.requests:
        print(f"API processes' CPU per request: {api_cores / level.requests_per_s * 1000:.1f} ms")


def sustained_level(levels: Sequence[LevelResult]) -> LevelResult | None:
    """The highest level that, with every lower one, kept every p95 under the aim with no error."""
    best = None
    for level in sorted(levels, key=lambda lv: lv.concurrency):
        if not level.sustained():
            break
        best = level
    return best


# ------------------------------------------------------------------------------- soak


@dataclass(frozen=True)
class SoakSample:
    elapsed_s: float
    at: str
    processes: dict[str, ProcessSample]
    pg_stat_activity: int  # connections to the run's database
    redis_connected_clients: int  # the whole Redis server's: other users of it count too
    window_requests: int
    window_errors: int
    window_max_p95_ms: float | None
    window_cpu_cores: dict[str, float]  # since the previous sample
    # Outbox jobs pending or running: flat while the worker keeps up (None in older files).
    outbox_waiting: int | None = None


async def outbox_waiting(monitor: Any) -> int:
    return int(await monitor.fetchval("SELECT count(*) FROM outbox WHERE status IN ('pending', 'running')"))


async def pg_activity(monitor: Any, database: str) -> int:
    return int(
        await monitor.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", database
        )
    )


# What the soak fits a line to, per process. Client connections are left out of the
# descriptors: their number follows the load generator, not the process.
GROWTH_METRICS: dict[str, Callable[[ProcessSample], float]] = {
    "RSS": lambda p: p.rss_bytes / MB,
    "descriptors (without client connections)": lambda p: p.fds_without_clients,
    "PostgreSQL connections": lambda p: p.postgres_connections,
    "Redis connections": lambda p: p.redis_connections,
}


@dataclass(frozen=True)
class Growth:
    process: str
    metric: str
    per_hour: float  # slope of the least-squares line
    first: float
    last: float
    ok: bool


def _grows(values: Sequence[float]) -> bool:
    """A count grows when the second half of the window reaches a value the first half never
    did: a pool settling at its size early does not count, a leak's steady rise does."""
    half = len(values) // 2
    return max(values[half:]) > max(values[:half])


def fit_growth(samples: Sequence[SoakSample], warmup_s: float) -> list[Growth]:
    """Per process and metric, over the samples after ``warmup_s``: the fitted growth per hour
    and whether it meets the aim (RSS under 10 MB/hour; counts: see :func:`_grows`)."""
    kept = [s for s in samples if s.elapsed_s >= warmup_s]
    if len(kept) < 2:
        return []
    hours = [s.elapsed_s / 3600 for s in kept]
    growth = []
    for name in kept[0].processes:
        for metric, value in GROWTH_METRICS.items():
            values = [float(value(s.processes[name])) for s in kept]
            slope = statistics.linear_regression(hours, values).slope
            ok = slope < RSS_AIM_MB_PER_HOUR if metric == "RSS" else not _grows(values)
            growth.append(Growth(name, metric, round(slope, 2), values[0], values[-1], ok))
    # The database's side of the same connections (Redis's count is the whole server's, shared).
    values = [float(s.pg_stat_activity) for s in kept]
    slope = statistics.linear_regression(hours, values).slope
    growth.append(Growth("database", "pg_stat_activity", round(slope, 2), values[0], values[-1], not _grows(values)))
    return growth


def growth_verdict(g: Growth) -> str:
    if g.metric == "RSS":
        aim = f"{'meets' if g.ok else 'MISSES'} < {RSS_AIM_MB_PER_HOUR:g} MB/hour"
        return f"{g.process}: RSS {g.first:.1f} → {g.last:.1f} MB, fitted {g.per_hour:+.1f} MB/hour ({aim})"
    return (
        f"{g.process}: {g.metric} {g.first:g} → {g.last:g}, fitted {g.per_hour:+.1f}/hour "
        f"({'no growth' if g.ok else 'GROWS'})"
    )


class Sampler:
    """The soak's measurements of the processes, the database and Redis, one sample at a time."""

    def __init__(self, topology: Topology, monitor: Any, redis: Any) -> None:
        self.pids = topology.pids
        self.ports = topology.ports
        self.database = topology.database_url.rpartition("/")[2]
        self.postgres_port = urlsplit(topology.database_url).port or 5432
        self.redis_port = urlsplit(topology.redis_url).port or 6379
        self.monitor = monitor
        self.redis = redis
        self.started = time.monotonic()
        self.clock: CpuClock | None = None

    async def sample(self, window: Sequence[Sample]) -> SoakSample:
        """Everything now, with ``window`` (the requests since the previous sample) summarised."""
        peers = socket_peers()
        processes = {}
        for name, pid in self.pids.items():
            try:
                processes[name] = process_sample(
                    pid,
                    peers,
                    listen_port=self.ports[name],
                    postgres_port=self.postgres_port,
                    redis_port=self.redis_port,
                )
            except FileNotFoundError as exc:
                raise BenchError(f"{name} (pid {pid}) is no longer running") from exc
        clock = cpu_clock({**self.pids, LOAD_GENERATOR: os.getpid()})
        cores = cpu_cores(self.clock, clock) if self.clock else {}
        self.clock = clock
        info = await self.redis.info("clients")
        p95s = [e.p95_ms for e in endpoint_stats(window, 1.0)]
        return SoakSample(
            elapsed_s=round(time.monotonic() - self.started, 1),
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            processes=processes,
            pg_stat_activity=await pg_activity(self.monitor, self.database),
            redis_connected_clients=int(info["connected_clients"]),
            window_requests=len(window),
            window_errors=sum(1 for s in window if s.failed),
            window_max_p95_ms=max(p95s) if p95s else None,
            window_cpu_cores=cores,
            outbox_waiting=await outbox_waiting(self.monitor),
        )


def print_sample(sample: SoakSample, window_s: float) -> None:
    procs = "; ".join(
        f"{name} {p.rss_bytes / MB:.1f} MB, {p.open_fds} fds ({p.client_connections} clients), "
        f"pg {p.postgres_connections}, redis {p.redis_connections}"
        for name, p in sample.processes.items()
    )
    rate = sample.window_requests / window_s if window_s > 0 else 0.0
    p95 = f"{sample.window_max_p95_ms:g} ms" if sample.window_max_p95_ms is not None else "-"
    print(
        f"t={sample.elapsed_s:>6.0f}s {rate:6.1f} req/s, {sample.window_errors} errors, worst p95 {p95} | {procs} | "
        f"pg_stat_activity {sample.pg_stat_activity}, redis clients {sample.redis_connected_clients}, "
        f"outbox waiting {sample.outbox_waiting}",
        flush=True,
    )
    if sample.window_cpu_cores:
        print(f"         CPU cores: {format_cores(sample.window_cpu_cores)}", flush=True)


@dataclass(frozen=True)
class SoakResult:
    concurrency: int
    minutes: float
    warmup_s: float
    requests_per_s: float
    errors: int
    endpoints: list[EndpointStats]
    growth: list[Growth]
    verdicts: list[str]
    samples_path: str
    outbox_waiting_max: int | None = None
    outbox_waiting_end: int | None = None


async def soak(workload: Workload, args: argparse.Namespace) -> SoakResult:
    topology = workload.topology
    duration = args.soak_minutes * 60
    samples: list[SoakSample] = []
    requests: list[Sample] = []
    monitor = await asyncpg.connect(topology.database_url, timeout=10)
    redis = aioredis.Redis.from_url(topology.redis_url, socket_timeout=10)
    try:
        sampler = Sampler(topology, monitor, redis)
        async with users(workload, args.soak_concurrency):
            next_at = sampler.started
            while True:
                window = list(workload.samples)
                workload.samples.clear()
                requests.extend(window)
                sample = await sampler.sample(window)
                print_sample(sample, sample.elapsed_s - samples[-1].elapsed_s if samples else 0.0)
                samples.append(sample)
                # Rewritten at every sample, so an interrupted soak leaves its samples too.
                args.samples.write_text(json.dumps([asdict(s) for s in samples], indent=1) + "\n")
                next_at += args.sample_seconds
                if next_at > sampler.started + duration + 0.5:
                    break
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    finally:
        await monitor.close()
        await redis.aclose()
    elapsed = time.monotonic() - sampler.started
    warmup = soak_warmup(args.soak_warmup_minutes * 60, duration)
    growth = fit_growth(samples, warmup)
    return SoakResult(
        concurrency=args.soak_concurrency,
        minutes=args.soak_minutes,
        warmup_s=round(warmup, 1),
        requests_per_s=round(len(requests) / elapsed, 1),
        errors=sum(1 for s in requests if s.failed),
        endpoints=endpoint_stats(requests, elapsed),
        growth=growth,
        verdicts=[growth_verdict(g) for g in growth],
        outbox_waiting_max=max((s.outbox_waiting or 0 for s in samples), default=None),
        outbox_waiting_end=samples[-1].outbox_waiting if samples else None,
        samples_path=str(args.samples),
    )


# ------------------------------------------------------------------------------- run


async def stepped(topology: Topology, args: argparse.Namespace) -> list[LevelResult]:
    workload = Workload(topology, args.seed)
    results = []
    for concurrency in args.levels:
        print(
            f"\n{concurrency} users: {args.warmup_seconds:g}s warm-up, {args.step_seconds:g}s measured ...", flush=True
        )
        level = await run_level(workload, concurrency, args)
        print_level(level)
        results.append(level)
    if workload.failures:
        print(
            "\nfailures by endpoint and answer: "
            + ", ".join(f"{e} {w}: {n}" for (e, w), n in workload.failures.items())
        )
    return results


def run_stepped(args: argparse.Namespace, wrk: str, work: Path, allocator: dict[str, str]) -> dict[str, Any]:
    load = Load(wrk, args.baseline_seconds, 2, connections=32, threads=1)
    print("baseline: wrk against the bare ASGI app (1 thread, 32 connections) ...", flush=True)
    bare = bench_bare(load, work).result
    print(f"  bare app GET /health/live: {bare.requests_per_s:,.0f} req/s, p99 {bare.p99_ms:g} ms", flush=True)
    with production_topology(args.postgres_url, args.redis_url, args.log_level, work, allocator=allocator) as topology:
        levels = asyncio.run(stepped(topology, args))
        graph = topology.graph
        print(f"\nGraph API double: {graph.answered} requests answered 200, {graph.refused} refused")
    best = sustained_level(levels)
    print()
    if best is None:
        busiest = max(levels, key=lambda lv: lv.requests_per_s)
        print(
            f"no level kept every endpoint's p95 under {P95_AIM_MS:g} ms with no error; the most throughput, "
            f"{busiest.requests_per_s:,.1f} req/s at {busiest.concurrency} users, was "
            f"{busiest.requests_per_s / bare.requests_per_s:.2%} of the bare app's {bare.requests_per_s:,.0f} req/s"
        )
        ratio = None
    else:
        ratio = best.requests_per_s / bare.requests_per_s
        print(
            f"highest level sustained (every p95 < {P95_AIM_MS:g} ms, no error, lower levels too): "
            f"{best.concurrency} users, {best.requests_per_s:,.1f} req/s mixed = {ratio:.2%} of the bare app's "
            f"{bare.requests_per_s:,.0f} req/s"
        )
    return {
        "baseline": asdict(bare),
        "levels": [asdict(level) for level in levels],
        "sustained_users": best.concurrency if best else None,
        "ratio_to_bare": ratio,
        "graph_api": {"answered": graph.answered, "refused": graph.refused},
    }


def soak_warmup(wanted_s: float, duration_s: float) -> float:
    """Seconds of samples left out of the fit: ``wanted_s``, keeping at least the last third."""
    return min(wanted_s, duration_s * 2 / 3)


def load_samples(path: Path) -> list[SoakSample]:
    """The samples a soak wrote to ``--samples``."""
    rows = json.loads(path.read_text())
    return [
        SoakSample(**{**row, "processes": {name: ProcessSample(**p) for name, p in row["processes"].items()}})
        for row in rows
    ]


def refit(args: argparse.Namespace) -> int:
    """Fit the growth lines again to a finished soak's samples, after another warm-up."""
    samples = load_samples(args.fit)
    if not samples:
        print(f"mixed_load: no samples in {args.fit}", file=sys.stderr)
        return 1
    warmup = soak_warmup(args.soak_warmup_minutes * 60, samples[-1].elapsed_s)
    print(f"{args.fit}: {len(samples)} samples over {samples[-1].elapsed_s:g}s")
    print(f"growth per hour, fitted over the samples after the first {warmup:g}s:")
    for line in [growth_verdict(g) for g in fit_growth(samples, warmup)] or ["not enough samples to fit a line"]:
        print(f"  {line}")
    return 0


def run_soak(args: argparse.Namespace, work: Path, allocator: dict[str, str]) -> dict[str, Any]:
    with production_topology(args.postgres_url, args.redis_url, args.log_level, work, allocator=allocator) as topology:
        print(
            f"soak: {args.soak_concurrency} users for {args.soak_minutes:g} min, a sample every "
            f"{args.sample_seconds:g}s to {args.samples}",
            flush=True,
        )
        result = asyncio.run(soak(Workload(topology, args.seed), args))
    print(f"\nsoak: {result.requests_per_s:,.1f} req/s, {result.errors} errors")
    print_endpoints(result.endpoints)
    print(f"\ngrowth per hour, fitted over the samples after the first {result.warmup_s:g}s:")
    for line in result.verdicts or ["not enough samples after the warm-up to fit a line"]:
        print(f"  {line}")
    print(f"outbox jobs waiting: at most {result.outbox_waiting_max}, {result.outbox_waiting_end} at the end")
    print(f"samples: {result.samples_path}")
    return asdict(result)


def allocator_env(choice: str) -> dict[str, str]:
    """The service processes' allocator variables for ``--allocator`` (none for libc)."""
    env = image_allocator_env() if choice == "image" else {}
    described = ", ".join(f"{name}={value}" for name, value in env.items()) or "the C library's malloc"
    print(f"allocator: {described}", flush=True)
    return env


def _levels(text: str) -> list[int]:
    levels = sorted({int(part) for part in text.split(",") if part.strip()})
    if not levels or levels[0] < 1:
        raise argparse.ArgumentTypeError("levels are positive integers, e.g. 2,4,8")
    return levels


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--levels", type=_levels, default=_levels("2,4,8,16,32"), help="concurrent virtual users")
    parser.add_argument("--step-seconds", type=float, default=30, help="measured seconds per level")
    parser.add_argument("--warmup-seconds", type=float, default=5, help="unmeasured seconds before each level")
    parser.add_argument("--baseline-seconds", type=int, default=10, help="wrk seconds against the bare app")
    parser.add_argument("--drain-timeout", type=float, default=120, help="longest wait for the worker after a level")
    parser.add_argument("--soak-minutes", type=float, help="run the soak for this long instead of the levels")
    parser.add_argument("--soak-concurrency", type=int, default=4, help="virtual users during the soak")
    parser.add_argument("--sample-seconds", type=float, default=30, help="seconds between soak samples")
    parser.add_argument(
        "--soak-warmup-minutes", type=float, default=5, help="minutes of samples left out of the growth fit"
    )
    parser.add_argument(
        "--fit", type=Path, metavar="SAMPLES", help="no load: fit the growth of a finished soak's samples again"
    )
    parser.add_argument("--samples", type=Path, help="soak samples JSON (default bench/results/mixed-soak-<time>.json)")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL of the service processes")
    parser.add_argument(
        "--allocator",
        choices=("image", "libc"),
        default="image",
        help="the processes' malloc: the image's (jemalloc, from deploy/Dockerfile) or the C library's",
    )
    parser.add_argument(
        "--work-dir", type=Path, help="keep the service logs and data here (default: a temporary folder, removed)"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the workload's random choices")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)
    if args.step_seconds <= 0 or args.warmup_seconds < 0 or args.sample_seconds <= 0:
        parser.error("--step-seconds and --sample-seconds must be > 0, --warmup-seconds ≥ 0")
    if args.soak_warmup_minutes < 0:
        parser.error("--soak-warmup-minutes must be ≥ 0")
    if args.soak_minutes is not None and (args.soak_minutes <= 0 or args.soak_concurrency < 1):
        parser.error("--soak-minutes must be > 0 and --soak-concurrency ≥ 1")
    if args.soak_minutes is not None and args.samples is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        args.samples = Path(__file__).resolve().parent / "results" / f"mixed-soak-{stamp}.json"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.fit:
        return refit(args)
    wrk = shutil.which("wrk")
    if args.soak_minutes is None and not wrk:
        print(f"mixed_load: `wrk` is not installed; install it with:\n  {WRK_INSTALL}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    print_machine(machine_facts(wrk or "wrk"))
    print(f"source: {source_revision()}", flush=True)
    # The machine may be shared: what else was running shows in the load and in each
    # measurement's "everything else" CPU.
    print("load average at start: " + " ".join(f"{load:.2f}" for load in os.getloadavg()), flush=True)
    if args.samples:
        args.samples.parent.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        with contextlib.ExitStack() as stack:
            if args.work_dir:
                args.work_dir.mkdir(parents=True, exist_ok=True)
                work = Path(tempfile.mkdtemp(prefix="agente-mixed-", dir=args.work_dir))
            else:
                work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="agente-mixed-")))
            allocator = allocator_env(args.allocator)
            if args.soak_minutes:
                result = run_soak(args, work, allocator)
            else:
                result = run_stepped(args, wrk or "wrk", work, allocator)
    except BenchError as exc:
        print(f"mixed_load: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("mixed_load: interrupted; processes stopped, database dropped", file=sys.stderr)
        return 130
    if args.json:
        report = {
            "date": started,
            "command": shlex.join(sys.orig_argv),
            "source": source_revision(),
            "allocator": allocator or "libc",
            **result,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
