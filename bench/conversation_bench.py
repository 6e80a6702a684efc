"""Conversation benchmark: ``POST /api/messages`` on booking conversations, and the NLU alone.

In process, through the whole ASGI application (middleware, routing, the conversation
service, the database, the PMS simulator) but without sockets: the embedded default, or
PostgreSQL and Redis as in production (``--database-url``, ``--redis-url``; the database
must be empty, it is migrated). ``--guests`` conversations run concurrently, each the same
booking dialogue (greeting, stay, room, name, email, phone, a question, confirmation — 8 messages),
for a different guest; every message's latency is recorded.

Two ways to load it:

* closed loop (default): ``--guests`` guests talk at once, each sending its next message as
  soon as it has the reply — the throughput the process can give, with queueing included;
* open loop (``--rate R``): guests arrive at random (Poisson) so that R messages a second
  reach the service on average, each guest still waiting for a reply before writing again
  — the latency a guest sees at that load. Run it at a fraction of the closed-loop
  throughput to see the latency with headroom.

Aim: p99 under 50 ms per message at the measured throughput. Usage:
``python bench/conversation_bench.py [--guests 20] [--rounds 3] [--rate 20 --seconds 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from agente.config import Settings
from agente.container import Container
from agente.main import create_app
from agente.storage import migrate

DIALOGUE = [
    "hola",
    "quiero reservar del 12 al 15 de diciembre para 2 adultos",
    "la primera",
    "Ana García",
    "ana.garcia@example.com",
    "+34 612 345 678",
    "¿tenéis parking?",
    "sí, confirma",
]
AIM_P99_MS = 50.0


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _guest(client: httpx.AsyncClient, guest: str, latencies: list[float]) -> None:
    for text in DIALOGUE:
        started = time.perf_counter()
        response = await client.post("/api/messages", json={"guest_id": guest, "text": text})
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()


async def _open_loop(client: httpx.AsyncClient, rate: float, seconds: float, latencies: list[float]) -> None:
    """Start guests at random so that ``rate`` messages a second arrive on average, for ``seconds``."""
    rng = random.Random(7)
    guests_per_second = rate / len(DIALOGUE)
    tasks: list[asyncio.Task[None]] = []
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        tasks.append(asyncio.create_task(_guest(client, f"open-{n}", latencies)))
        n += 1
        await asyncio.sleep(rng.expovariate(guests_per_second))
    await asyncio.gather(*tasks)


async def run(
    guests: int, rounds: int, database_url: str | None, redis_url: str | None, rate: float = 0.0, seconds: float = 30.0
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            data_dir=Path(tmp),
            worker_in_process=False,
            log_level="WARNING",
            rate_limit_max_requests=10**9,
            database_url=database_url,
            redis_url=redis_url,
            redis_key_prefix=f"bench:{time.time_ns()}:",
        )
        migrate.upgrade(settings)
        built: list[Container] = []
        app = create_app(settings, on_start=built.append)
        async with LifespanManager(app, startup_timeout=120) as manager:  # the first start may train the model
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await _guest(client, "warm-up", [])  # fills the PMS cache for the stay
                latencies: list[float] = []
                started = time.perf_counter()
                if rate:
                    await _open_loop(client, rate, seconds, latencies)
                else:
                    for r in range(rounds):
                        await asyncio.gather(*(_guest(client, f"g{r}-{i}", latencies) for i in range(guests)))
                elapsed = time.perf_counter() - started
                container = built[0]
                nlu_ms = []
                for text in DIALOGUE * 20:
                    t0 = time.perf_counter()
                    await container.nlu.parse(text, previous="es", today=date(2026, 11, 29))
                    nlu_ms.append((time.perf_counter() - t0) * 1000)
    achieved = len(latencies) / elapsed
    p50, p99 = statistics.median(latencies), _pct(latencies, 0.99)
    load = f"open loop, {rate:g} messages/s offered" if rate else f"{guests} concurrent guests"
    print(f"messages: {len(latencies)} in {elapsed:.1f}s = {achieved:.0f} messages/s ({load})")
    print(f"POST /api/messages latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"NLU parse alone: p50 {statistics.median(nlu_ms):.2f} ms, p99 {_pct(nlu_ms, 0.99):.2f} ms")
    print(f"p99 {'meets' if p99 < AIM_P99_MS else 'misses'} the {AIM_P99_MS:.0f} ms aim")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: embedded SQLite)")
    parser.add_argument("--redis-url", help="Redis (default: in process)")
    parser.add_argument("--rate", type=float, default=0.0, help="open loop: messages per second offered")
    parser.add_argument("--seconds", type=float, default=30.0, help="open loop: how long guests keep arriving")
    args = parser.parse_args()
    asyncio.run(run(args.guests, args.rounds, args.database_url, args.redis_url, args.rate, args.seconds))


if __name__ == "__main__":
    main()
