"""Conversation benchmark: what one ``agente serve`` process spends on a guest's message.

The service runs as it does in production (PostgreSQL, Redis, the PMS simulator, the worker
in its own process — not started, nothing here needs it) on a scratch database and a Redis
key prefix of its own. Guests hold whole booking dialogues on ``POST /api/messages``: a
greeting, a stay 1 to 50 weeks ahead (Spanish or English), a room, name, email and phone,
a question about the hotel, and the confirmation. The benchmark checks every reply's
dialogue state, that every dialogue ends with a booking reference, and that the database
holds one confirmed booking per dialogue; any other outcome fails the run.

In one run, on the same machine and minutes:

1. **closed loop** — ``--guests`` guests at once, each writing its next message as soon as
   it has the reply, until ``--dialogues`` dialogues are done: messages a second, and the
   server process's CPU time per message (user + system, from ``/proc``);
2. **open loop** — guests arriving at random (Poisson) so that half the closed-loop rate
   reaches the service, for ``--open-seconds``: the latency a guest sees with headroom;
3. **the floor** — ``bare_conversation_app.py`` (FastAPI + raw asyncpg doing the same Redis
   call and the same two statements per message) under the same closed loop;
4. with ``--baseline-source DIR`` (another checkout's ``src``), the closed loop again against
   the service built from that code, on a scratch database of its own.

Aims: ≤ 3.5 ms of CPU per message; at least twice the baseline's messages a second; p99 under
50 ms in the open loop. Usage::

    python bench/conversation_bench.py [--guests 12] [--dialogues 150] [--baseline-source /tmp/old/src]

The load generator shares the machine, so the throughput depends on the host; CPU per
message is the server's own and moves much less. Compare numbers from one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import httpx

from http_load import HOST, BenchError, agente_executable, free_port, migrate, running, service_env
from mixed_topology import redis_prefix, scratch_database
from mixed_workload import Turn, booking_dialogue

AIM_CPU_MS = 3.5
AIM_P99_MS = 50.0
AIM_SPEEDUP = 2.0
REFERENCE = re.compile(r"\bAH[A-Z0-9]{6}\b")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STAY_SLOTS = 115


@dataclass
class LoopResult:
    messages: int
    seconds: float
    cpu_seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.messages / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / self.messages

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class Dialogues:
    """Numbered booking dialogues that all confirm; a wrong state or a missing reference is recorded."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.started = 0
        self.failures: list[str] = []

    def next(self) -> tuple[str, list[Turn]]:
        self.started += 1
        # Stays of one or two nights three days apart, 1 to 50 weeks ahead: guests talking at
        # the same time never want the same nights, so no quoted room is taken meanwhile and
        # every dialogue books (the simulator's 20 rooms take 2,300 dialogues to fill).
        check_in = date.today() + timedelta(days=7 + 3 * (self.started % STAY_SLOTS))
        stay = (check_in, check_in + timedelta(days=1 + self.started % 2))
        return f"bench-{self.started}", booking_dialogue(self.rng, self.started, confirm=True, stay=stay)


async def _dialogue(
    client: httpx.AsyncClient,
    guest: str,
    turns: list[Turn],
    latencies: list[float],
    dialogues: Dialogues,
    *,
    check: bool,
) -> None:
    text = ""
    for turn in turns:
        started = time.perf_counter()
        response = await client.post("/api/messages", json={"guest_id": guest, "text": turn.text})
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            dialogues.failures.append(f"{guest}: {turn.text!r} answered {response.status_code}")
            return
        body = response.json()
        text = body["reply"]["text"]
        if check and body["state"] != turn.state:
            dialogues.failures.append(f"{guest}: {turn.text!r} left {body['state']}, expected {turn.state}: {text!r}")
            return
    if check and not REFERENCE.search(text):
        dialogues.failures.append(f"{guest}: the confirmation has no booking reference: {text!r}")


async def closed_loop(
    base_url: str, pid: int, guests: int, count: int, dialogues: Dialogues, *, check: bool
) -> LoopResult:
    latencies: list[float] = []
    remaining = count

    async def guest(client: httpx.AsyncClient) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await _dialogue(client, *dialogues.next(), latencies, dialogues, check=check)

    limits = httpx.Limits(max_connections=guests, max_keepalive_connections=guests)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        cpu, started = process_cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(guest(client) for _ in range(guests)))
        seconds, cpu = time.perf_counter() - started, process_cpu_seconds(pid) - cpu
    return LoopResult(len(latencies), seconds, cpu, latencies)


async def open_loop(base_url: str, pid: int, rate: float, seconds: float, dialogues: Dialogues) -> LoopResult:
    """Guests start at random so that ``rate`` messages a second arrive on average."""
    rng = random.Random(11)
    latencies: list[float] = []
    tasks: list[asyncio.Task[None]] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=200)) as client:
        cpu, started = process_cpu_seconds(pid), time.perf_counter()
        deadline = started + seconds
        per_dialogue = len(booking_dialogue(random.Random(0), 0, confirm=True))
        while time.perf_counter() < deadline:
            tasks.append(asyncio.create_task(_dialogue(client, *dialogues.next(), latencies, dialogues, check=True)))
            await asyncio.sleep(rng.expovariate(rate / per_dialogue))
        await asyncio.gather(*tasks)
        elapsed, cpu = time.perf_counter() - started, process_cpu_seconds(pid) - cpu
    return LoopResult(len(latencies), elapsed, cpu, latencies)


@contextlib.contextmanager
def service(name: str, argv: list[str], env: dict[str, str], work: Path, port: int) -> Iterator[tuple[str, int]]:
    """The server at ``argv`` until the block ends: its base URL and process id."""
    with running(name, argv, env, work / f"{name}.log", port) as server:
        pid = _pid_listening(port)
        yield f"http://{HOST}:{server.port}", pid


def _pid_listening(port: int) -> int:
    """The process that listens on ``port`` (``running`` keeps its Popen to itself)."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
            inode = parts[9]
    if inode is None:
        raise BenchError(f"nothing listens on port {port}")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == f"socket:[{inode}]":
                    return int(proc.name)
    raise BenchError(f"no process owns the socket on port {port}")


def _service_env(
    work: Path, port: int, database_url: str, redis_url: str, prefix: str, source: str | None
) -> dict[str, str]:
    env = service_env(work, port, "WARNING")
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, REDIS_KEY_PREFIX=prefix, WORKER_IN_PROCESS="false")
    if source:
        env["PYTHONPATH"] = source
    return env


async def confirmed_bookings(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM bookings WHERE status = 'confirmed'")
        return count
    finally:
        await conn.close()


def measure_service(
    label: str, args: argparse.Namespace, work: Path, source: str | None, *, open_seconds: float
) -> tuple[LoopResult, LoopResult | None]:
    agente = agente_executable()
    with scratch_database(args.postgres_url) as database_url, redis_prefix(args.redis_url) as prefix:
        port = free_port()
        env = _service_env(work, port, database_url, args.redis_url, prefix, source)
        migrate(agente, env)
        with service(label, [agente, "serve"], env, work, port) as (base_url, pid):
            dialogues = Dialogues(seed=5)
            asyncio.run(closed_loop(base_url, pid, 2, 4, dialogues, check=True))  # warm-up: caches, model, pool
            closed = asyncio.run(closed_loop(base_url, pid, args.guests, args.dialogues, dialogues, check=True))
            opened = None
            if open_seconds:
                opened = asyncio.run(open_loop(base_url, pid, closed.rate / 2, open_seconds, dialogues))
            if dialogues.failures:
                raise BenchError(
                    f"{label}: {len(dialogues.failures)} dialogues went wrong, e.g. {dialogues.failures[0]}"
                )
            booked = asyncio.run(confirmed_bookings(database_url))
            if booked != dialogues.started:
                raise BenchError(f"{label}: {dialogues.started} dialogues confirmed, {booked} bookings stored")
    return closed, opened


def measure_floor(args: argparse.Namespace, work: Path) -> LoopResult:
    bare = str(Path(__file__).with_name("bare_conversation_app.py"))
    agente = agente_executable()
    with scratch_database(args.postgres_url) as database_url, redis_prefix(args.redis_url) as prefix:
        port = free_port()
        migrate(agente, _service_env(work, port, database_url, args.redis_url, prefix, None))
        argv = [
            sys.executable,
            bare,
            "--port",
            str(port),
            "--database-url",
            database_url,
            "--redis-url",
            args.redis_url,
        ]
        with service("bare", [*argv, "--redis-prefix", prefix], dict(os.environ), work, port) as (base_url, pid):
            dialogues = Dialogues(seed=5)
            asyncio.run(closed_loop(base_url, pid, 2, 4, dialogues, check=False))
            return asyncio.run(closed_loop(base_url, pid, args.guests, args.dialogues, dialogues, check=False))


def _row(name: str, result: LoopResult) -> str:
    return (
        f"{name:<22} {result.messages:>6} msgs  {result.rate:>6.0f} msg/s  CPU {result.cpu_ms:>5.2f} ms/msg  "
        f"p50 {statistics.median(result.latencies_ms):>6.1f} ms  p99 {result.pct(0.99):>6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--guests", type=int, default=12, help="closed loop: guests at once")
    parser.add_argument("--dialogues", type=int, default=150, help="closed loop: dialogues in all")
    parser.add_argument("--open-seconds", type=float, default=30.0, help="open loop at half the rate (0: skip)")
    parser.add_argument("--baseline-source", help="another checkout's src/ to measure the same closed loop against")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agente-conversation-bench-") as tmp:
        work = Path(tmp)
        closed, opened = measure_service("service", args, work, None, open_seconds=args.open_seconds)
        floor = measure_floor(args, work)
        baseline = None
        if args.baseline_source:
            baseline, _ = measure_service("baseline", args, work, args.baseline_source, open_seconds=0)
    print(f"closed loop: {args.guests} guests at once, {args.dialogues} booking dialogues of 8 messages, all confirmed")
    print(_row("service", closed))
    print(_row("floor (bare + asyncpg)", floor))
    if baseline is not None:
        print(_row("baseline", baseline))
    if opened is not None:
        print(f"open loop at {closed.rate / 2:.0f} msg/s offered:")
        print(_row("service", opened))
    verdicts = [f"CPU {closed.cpu_ms:.2f} ms/msg {'meets' if closed.cpu_ms <= AIM_CPU_MS else 'misses'} ≤ {AIM_CPU_MS}"]
    verdicts.append(f"{closed.cpu_ms / floor.cpu_ms:.1f}× the floor's CPU per message")
    if baseline is not None:
        speedup = closed.rate / baseline.rate
        verdicts.append(f"{speedup:.2f}× the baseline's msg/s ({'meets' if speedup >= AIM_SPEEDUP else 'misses'} ≥ 2×)")
        verdicts.append(f"{baseline.cpu_ms / closed.cpu_ms:.2f}× less CPU per message than the baseline")
    if opened is not None:
        p99 = opened.pct(0.99)
        verdicts.append(f"open-loop p99 {p99:.1f} ms {'meets' if p99 < AIM_P99_MS else 'misses'} < {AIM_P99_MS:.0f}")
    print("; ".join(verdicts))


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"conversation_bench: {exc}")
