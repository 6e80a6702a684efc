"""WhatsApp webhook benchmark: acknowledgements per second, ack latency, and webhook → reply time.

Real processes over real sockets: ``agente serve`` (and, with ``--database-url``, a separate
``agente worker``) started as the product runs, a Graph API double served by uvicorn in this
process, and signed deliveries posted by ``--concurrency`` clients, each from a different
guest. Two numbers:

* the acknowledgement: how long ``POST /webhooks/whatsapp`` takes to answer 200 while the
  worker is busy answering earlier deliveries (aim: p99 under 20 ms);
* end to end: from posting a guest's message to the Graph double receiving the reply (the
  conversation turn, the outbox and the send included).

With ``--rate`` the deliveries are paced (a steady stream rather than a burst), so the
end-to-end time shows a reply's own path instead of the queue a burst builds up.

Usage: ``python bench/webhook_bench.py [--deliveries 400] [--concurrency 8] [--rate 5]
[--database-url postgresql+asyncpg://... --redis-url redis://...] [--poll 0.2]``. The
database must be empty; it is migrated.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.channels.graph_double import PHONE_NUMBER_ID, TOKEN, VERSION, GraphDouble

from mixed_workload import percentile, whatsapp_delivery

AGENTE = str(Path(sys.executable).with_name("agente"))
SECRET = "bench-app-secret"
ACK_AIM_MS = 20.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(samples: list[float], q: float) -> float:
    return percentile(sorted(samples), q)


class _Clocked:
    """The Graph double, noting when each recipient's first reply arrives."""

    def __init__(self) -> None:
        self.double = GraphDouble()
        self.arrived: dict[str, float] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.double(scope, receive, send)
        for recipient in self.double.sent:
            self.arrived.setdefault(recipient, time.time())


def _sign(raw: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen([AGENTE, *args], env=env, stdout=out, stderr=subprocess.STDOUT)


async def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if proc.poll() is not None:
                raise SystemExit(f"agente serve exited with {proc.returncode}")
            try:
                if (await client.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("agente serve did not become ready")


async def _post_all(
    url: str, deliveries: int, concurrency: int, rate: float = 0.0
) -> tuple[list[float], dict[str, float], float]:
    acks: list[float] = []
    posted: dict[str, float] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(deliveries):
        queue.put_nowait(n)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_loop(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            if rate:
                # Paced: delivery n is due n / rate seconds after the start.
                await asyncio.sleep(max(0.0, first + n / rate - time.perf_counter()))
            wa_id = f"3460{n:07d}"
            raw = whatsapp_delivery(PHONE_NUMBER_ID, wa_id, f"wamid.bench{n}", "hola, ¿tenéis parking?")
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": _sign(raw)}
            posted[wa_id] = time.time()
            started = time.perf_counter()
            response = await client.post(url, content=raw, headers=headers)
            acks.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"webhook answered {response.status_code}: {response.text[:200]}")

    started = first = time.perf_counter()
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(concurrency)))
    return acks, posted, time.perf_counter() - started


async def run(opts: argparse.Namespace) -> None:
    graph = _Clocked()
    graph_port, api_port = _free_port(), _free_port()
    config = uvicorn.Config(graph, host="127.0.0.1", port=graph_port, log_level="warning", lifespan="off")
    graph_server = uvicorn.Server(config)
    threading.Thread(target=graph_server.run, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATA_DIR": tmp,
            "PORT": str(api_port),
            "HOST": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "RATE_LIMIT_ENABLED": "false",
            "WHATSAPP_APP_SECRET": SECRET,
            "WHATSAPP_API_BASE": f"http://127.0.0.1:{graph_port}/{VERSION}",
            "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
            "WHATSAPP_ACCESS_TOKEN": TOKEN,
            "OUTBOX_POLL_SECONDS": str(opts.poll),
        }
        if opts.database_url:
            env.update(DATABASE_URL=opts.database_url, REDIS_URL=opts.redis_url or "", WORKER_IN_PROCESS="false")
            env["REDIS_KEY_PREFIX"] = f"bench:{time.time_ns()}:"
        await asyncio.to_thread(subprocess.run, [AGENTE, "db", "upgrade"], env=env, check=True, capture_output=True)
        procs = [_start(["serve"], env, Path(tmp) / "serve.log")]
        if opts.database_url:
            procs.append(_start(["worker"], env, Path(tmp) / "worker.log"))
        try:
            await _wait_ready(f"http://127.0.0.1:{api_port}/health/ready", procs[0])
            url = f"http://127.0.0.1:{api_port}/webhooks/whatsapp"
            acks, posted, elapsed = await _post_all(url, opts.deliveries, opts.concurrency, opts.rate)
            deadline = time.time() + 120
            while len(graph.arrived) < len(posted) and time.time() < deadline:
                await asyncio.sleep(0.05)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=40)
            graph_server.should_exit = True
    e2e = [(graph.arrived[g] - posted[g]) * 1000 for g in posted if g in graph.arrived]
    mode = "PostgreSQL + Redis, separate worker" if opts.database_url else "embedded, worker in the API process"
    print(f"mode: {mode}; outbox poll {opts.poll:g} s; {opts.concurrency} concurrent senders")
    print(f"acknowledged: {len(acks)} deliveries in {elapsed:.1f} s = {len(acks) / elapsed:.0f} per second")
    print(
        f"ack latency: p50 {statistics.median(acks):.1f} ms, p95 {_pct(acks, 0.95):.1f} ms, "
        f"p99 {_pct(acks, 0.99):.1f} ms ({'meets' if _pct(acks, 0.99) < ACK_AIM_MS else 'misses'} "
        f"the {ACK_AIM_MS:.0f} ms aim)"
    )
    if e2e:
        print(
            f"webhook → reply at the Graph API: {len(e2e)}/{len(posted)} replies, p50 {statistics.median(e2e):.0f} ms, "
            f"p95 {_pct(e2e, 0.95):.0f} ms, p99 {_pct(e2e, 0.99):.0f} ms, max {max(e2e):.0f} ms"
        )
    else:
        print("webhook → reply: no reply reached the Graph API double")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: embedded SQLite)")
    parser.add_argument("--redis-url", help="Redis, with --database-url")
    parser.add_argument("--poll", type=float, default=0.2, help="OUTBOX_POLL_SECONDS for the worker")
    parser.add_argument("--rate", type=float, default=0.0, help="deliveries per second (default: as fast as acked)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
