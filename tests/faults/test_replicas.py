"""Two API processes and two workers on one PostgreSQL and one Redis (docs/architecture.md).

* Rate limits are global: a client that spreads its requests over both replicas gets the
  limit once, not once per replica.
* The PMS breaker is shared: tests/e2e/test_shared_breaker.py opens it on one replica and
  sees it refuse on the other (not repeated here).
* A duplicate-webhook storm — the same deliveries, each sent 20 times at once to both API
  processes, as Meta's retries can — is answered with exactly one reply per message, and
  each guest's replies arrive in the order the guest wrote.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import REDIS_SERVER_URL
from tests.faults.agente_procs import ADMIN, AgenteProcess, outputs, running, service_env
from tests.faults.graph_server import GraphServer
from tests.faults.whatsapp import QUESTIONS, GuestMessage, answered, asked, delivery, post_delivery, whatsapp_settings

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

LIMIT = 10
COPIES = 20


def _guests() -> dict[str, list[GuestMessage]]:
    """Five guests who write once and two who write three times in a row."""
    guests: dict[str, list[GuestMessage]] = {}
    for n in range(7):
        wa_id = f"3460090{n:04d}"
        count = 1 if n < 5 else 3
        guests[wa_id] = [
            GuestMessage(wa_id, f"wamid.STORM{n:02d}{k}", QUESTIONS[(n + k) % len(QUESTIONS)].text)
            for k in range(count)
        ]
    return guests


async def _limits_seen(http: httpx.AsyncClient, url: str) -> int:
    max_requests: int = (await http.get(f"{url}/admin/rate-limits", headers=ADMIN)).json()["max_requests"]
    return max_requests


async def _storm(http: httpx.AsyncClient, urls: tuple[str, str], messages: list[GuestMessage]) -> list[httpx.Response]:
    """One guest's messages in order, each sent COPIES times at once to both replicas; the next
    message goes out once a copy of the previous one was acknowledged. Every answer."""
    answers: list[httpx.Response] = []
    pending: list[asyncio.Task[httpx.Response]] = []
    for message in messages:
        raw = delivery(message)
        copies = [asyncio.create_task(post_delivery(http, urls[n % 2], raw)) for n in range(COPIES)]
        pending.extend(copies)
        acknowledged = False
        for finished in asyncio.as_completed(copies):
            if (await finished).status_code == 200:
                acknowledged = True
                break
        while not acknowledged:  # every copy refused: Meta delivers it again later
            await asyncio.sleep(1.0)
            again = await post_delivery(http, urls[0], raw)
            answers.append(again)
            acknowledged = again.status_code == 200
    answers.extend(await asyncio.gather(*pending))
    return answers


async def _jobs(database_url: str) -> Counter[tuple[str, str]]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT kind, status FROM outbox")
    finally:
        await conn.close()
    return Counter((row["kind"], row["status"]) for row in rows)


async def test_two_replicas_share_limits_and_answer_a_webhook_storm_once_in_order(
    tmp_path: Path, fresh_database: str, redis_namespace: str, nlu_model_dir: Path, graph: GraphServer
) -> None:
    env = service_env(
        database_url=fresh_database,
        redis_url=REDIS_SERVER_URL,
        redis_prefix=redis_namespace,
        nlu_model_dir=nlu_model_dir,
        **whatsapp_settings(graph.api_base),
    )
    a = AgenteProcess("serve", env, tmp_path, "api-a")
    b = AgenteProcess("serve", env, tmp_path, "api-b")
    workers = [AgenteProcess("worker", env, tmp_path, f"worker-{n}") for n in (1, 2)]
    guests = _guests()
    limits = httpx.Limits(max_connections=60, max_keepalive_connections=60)
    async with running(a, b, *workers), httpx.AsyncClient(timeout=30.0, limits=limits) as http:
        # One limit for both replicas, set on one of them.
        changed = await http.post(
            f"{a.url}/admin/rate-limits", json={"max_requests": LIMIT, "window_seconds": 60}, headers=ADMIN
        )
        assert changed.status_code == 200, changed.text
        async with asyncio.timeout(5):
            while await _limits_seen(http, b.url) != LIMIT:
                await asyncio.sleep(0.2)
        client = {"X-Forwarded-For": "203.0.113.50"}  # one client, whichever replica it reaches
        spread = await asyncio.gather(
            *(
                http.post(f"{(a, b)[n % 2].url}/api/nlu/parse", json={"text": "hola"}, headers=client)
                for n in range(3 * LIMIT)
            )
        )

        storm = await asyncio.gather(*(_storm(http, (a.url, b.url), messages) for messages in guests.values()))
        expected = {wa_id: len(messages) for wa_id, messages in guests.items()}
        replies = await graph.wait_for_replies(expected, within=60, settle=2.0)
        jobs = await _jobs(fresh_database)
    logs = outputs(a, b, *workers)

    by_replica = Counter((n % 2, r.status_code) for n, r in enumerate(spread))
    assert sum(1 for r in spread if r.status_code == 200) == LIMIT, by_replica
    assert sum(1 for r in spread if r.status_code == 429) == 2 * LIMIT, by_replica

    # Each copy is acknowledged, or refused with a clear 503 that Meta retries (a replica short
    # of database connections under the storm); never another answer.
    answers = [answer for guest in storm for answer in guest]
    statuses = Counter(answer.status_code for answer in answers)
    assert set(statuses) <= {200, 503} and statuses[200] >= COPIES * sum(expected.values()) // 2, (statuses, logs)
    for answer in answers:
        assert answer.status_code == 200 or answer.headers.get("Retry-After"), answer.text
    for wa_id, messages in guests.items():
        # Exactly one reply per message, in the order the guest wrote them.
        assert [answered(text) for text in replies[wa_id]] == [asked(m.text) for m in messages], (wa_id, replies)
    deliveries = sum(expected.values())
    assert jobs == {("whatsapp.delivery", "done"): deliveries, ("whatsapp.send", "done"): deliveries}, jobs
