"""PostgreSQL stopped and started again under WhatsApp traffic (DESIGN.md §7: "Postgres down:
503 with a clear body; nothing half-written").

A private cluster is stopped the hard way (``pg_ctl -m immediate``: every connection cut)
while ``agente serve`` takes signed deliveries and ``agente worker`` answers them. While it
is down the webhook answers 503 with a JSON error and ``Retry-After`` — never 200, because
nothing could be stored — so the sender (here, like Meta) delivers again later. A delivery
caught in its commit when the server stops is refused too. Once the server is back: full
service, every message that was acknowledged is answered exactly once at the Graph API, and
the database holds no half-done work.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest

from agente.config import Settings
from agente.storage import migrate
from tests.conftest import REDIS_SERVER_URL
from tests.faults.agente_procs import AgenteProcess, outputs, running, service_env
from tests.faults.graph_server import GraphServer
from tests.faults.postgres_cluster import PrivatePostgres, binaries
from tests.faults.whatsapp import (
    QUESTIONS,
    GuestMessage,
    answered,
    asked,
    delivery,
    post_delivery,
    whatsapp_settings,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

GUESTS = 10
DATABASE = "agente"
# Holds the commit of one marked delivery, so the server can be stopped while it is in it.
SLOW_COMMIT = """
CREATE FUNCTION faults_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.payload::text LIKE '%SLOWCOMMIT%' THEN PERFORM pg_sleep(10); END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER faults_slow_commit AFTER INSERT ON outbox
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION faults_slow_commit();
"""


@pytest.fixture
def cluster() -> Iterator[PrivatePostgres]:
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    server = PrivatePostgres(bin_dir)
    try:
        server.init()
        server.start()
        asyncio.run(_execute(server.url, f'CREATE DATABASE "{DATABASE}"'))
        migrate.upgrade(Settings(database_url=server.database_url(DATABASE)))
        asyncio.run(_execute(server.database_url(DATABASE), SLOW_COMMIT))
        yield server
    finally:
        server.destroy()


async def _execute(url: str, statement: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@dataclass
class Sender:
    """Posts deliveries as Meta does: each until it is acknowledged with 200."""

    client: httpx.AsyncClient
    url: str
    acknowledged: list[GuestMessage] = field(default_factory=list)
    refused: list[tuple[GuestMessage, httpx.Response]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    to_retry: list[GuestMessage] = field(default_factory=list)
    count: int = 0

    def next_message(self, marker: str = "") -> GuestMessage:
        n = self.count
        self.count += 1
        return GuestMessage(
            wa_id=f"3460070{n % GUESTS:04d}",
            wamid=f"wamid.FAULTS{marker}{n:06d}",
            text=QUESTIONS[n % len(QUESTIONS)].text,
        )

    async def send(self, message: GuestMessage) -> httpx.Response | None:
        try:
            response = await post_delivery(self.client, self.url, delivery(message))
        except httpx.HTTPError as exc:
            self.unexpected.append(f"{message.wamid}: {exc!r}")
            self.to_retry.append(message)
            return None
        if response.status_code == 200:
            self.acknowledged.append(message)
        elif response.status_code == 503:
            self.refused.append((message, response))
            self.to_retry.append(message)
        else:
            self.unexpected.append(f"{message.wamid}: {response.status_code} {response.text[:300]}")
            self.to_retry.append(message)
        return response

    async def steady(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.send(self.next_message())
            await asyncio.sleep(0.15)

    async def redeliver(self, *, within: float) -> None:
        deadline = time.monotonic() + within
        while self.to_retry:
            assert time.monotonic() < deadline, f"{len(self.to_retry)} deliveries still refused after {within:g}s"
            pending, self.to_retry = self.to_retry, []
            for message in pending:
                await self.send(message)
            await asyncio.sleep(0.2)


async def _sleeping_commits(cluster: PrivatePostgres) -> int:
    conn = await asyncpg.connect(cluster.database_url(DATABASE))
    try:
        count: int = await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")
    finally:
        await conn.close()
    return count


async def _wait_for_sleeping_commit(cluster: PrivatePostgres) -> None:
    async with asyncio.timeout(10):
        while await _sleeping_commits(cluster) == 0:
            await asyncio.sleep(0.05)


async def _wait_ready(http: httpx.AsyncClient, url: str, *, within: float) -> httpx.Response:
    deadline = time.monotonic() + within
    while True:
        response = await http.get(f"{url}/health/ready")
        if response.status_code == 200 and response.json()["status"] == "healthy":
            return response
        assert time.monotonic() < deadline, f"not ready {within:g}s after PostgreSQL came back: {response.text}"
        await asyncio.sleep(0.2)


async def _database_state(url: str) -> dict[str, object]:
    conn = await asyncpg.connect(url)
    try:
        jobs = {
            row["status"]: row["n"] for row in await conn.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY 1")
        }
        orphans = await conn.fetchval(
            "SELECT count(*) FROM messages m LEFT JOIN sessions s ON s.id = m.session_id WHERE s.id IS NULL"
        )
        inbound = await conn.fetch(
            "SELECT channel_message_id, intent FROM messages WHERE direction = 'in' AND channel = 'whatsapp'"
        )
        outbound = await conn.fetch("SELECT status FROM messages WHERE direction = 'out' AND channel = 'whatsapp'")
        # Jobs that ran more than once, for the story of a failure.
        reruns = await conn.fetch(
            "SELECT id, kind, status, attempts, payload::text AS payload, last_error FROM outbox WHERE attempts > 1"
        )
    finally:
        await conn.close()
    return {
        "jobs": jobs,
        "orphan_messages": orphans,
        "inbound": sorted(row["channel_message_id"] for row in inbound),
        "inbound_without_turn": [row["channel_message_id"] for row in inbound if row["intent"] is None],
        "outbound_status": Counter(row["status"] for row in outbound),
        "reruns": [dict(row) for row in reruns],
    }


async def test_postgres_stopped_and_restarted_loses_nothing_and_answers_once(
    tmp_path: Path, cluster: PrivatePostgres, redis_namespace: str, nlu_model_dir: Path, graph: GraphServer
) -> None:
    database_url = cluster.database_url(DATABASE)
    env = service_env(
        database_url=database_url,
        redis_url=REDIS_SERVER_URL,
        redis_prefix=redis_namespace,
        nlu_model_dir=nlu_model_dir,
        # A job whose worker lost the database mid-way runs again soon after it is back.
        OUTBOX_LEASE_SECONDS="3",
        DATABASE_TIMEOUT="1",
        **whatsapp_settings(graph.api_base),
    )
    api = AgenteProcess("serve", env, tmp_path, "api")
    worker = AgenteProcess("worker", env, tmp_path, "worker")
    async with running(api, worker), httpx.AsyncClient(timeout=30.0) as http:
        sender = Sender(http, api.url)
        stop = asyncio.Event()
        steady = asyncio.create_task(sender.steady(stop))
        try:
            await asyncio.sleep(2.0)
            # One delivery is in its commit when the server goes away.
            cut = sender.next_message("SLOWCOMMIT")
            cut_call = asyncio.create_task(sender.send(cut))
            await _wait_for_sleeping_commit(cluster)
            await asyncio.to_thread(cluster.stop)
            stopped_at = time.monotonic()
            cut_response = await asyncio.wait_for(cut_call, 10)
            ready_down = await http.get(f"{api.url}/health/ready")
            message_down = await http.post(f"{api.url}/api/messages", json={"guest_id": "web-1", "text": "hola"})
            await asyncio.sleep(3.0)
            await asyncio.to_thread(cluster.start)
            started_at = time.monotonic()
            await _execute(database_url, "DROP TRIGGER faults_slow_commit ON outbox")
            ready_up = await _wait_ready(http, api.url, within=15)
            await asyncio.sleep(2.0)
        finally:
            stop.set()
            await steady
        # Meta delivers again what was not acknowledged.
        await sender.redeliver(within=20)
        message_up = await http.post(f"{api.url}/api/messages", json={"guest_id": "web-1", "text": "hola"})

        acknowledged = {m.wamid: m for m in sender.acknowledged}
        expected = Counter(m.wa_id for m in acknowledged.values())
        try:
            replies = await graph.wait_for_replies(expected, within=60)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{await _database_state(database_url)}\n{outputs(api, worker)}") from None
        state = await _database_state(database_url)

    logs = outputs(api, worker)
    assert not sender.unexpected, f"answers other than 200/503: {sender.unexpected[:5]}\n{logs}"
    # While the database was down, deliveries were refused with a clear body (and Meta retried).
    assert sender.refused, "no delivery was refused while PostgreSQL was down"
    for _message, response in sender.refused:
        assert response.json()["error"]["code"] == "postgres_unavailable", response.text
        assert response.headers["Retry-After"] == "5"
    # The delivery whose commit was cut off was not acknowledged: acknowledging it would lose it.
    assert cut_response is not None and cut_response.status_code == 503, (cut_response, logs)
    assert cut.wamid in acknowledged  # delivered again after the restart, and taken then
    assert ready_down.status_code == 503 and ready_down.json()["dependencies"]["postgres"]["status"] == "unhealthy"
    assert message_down.status_code == 503 and message_down.json()["error"]["code"] == "postgres_unavailable"
    assert ready_up.json()["status"] == "healthy"
    assert message_up.status_code == 200 and message_up.json()["reply"]["text"], message_up.text
    assert started_at - stopped_at >= 3.0

    # Every acknowledged message answered exactly once, with the answer to that question.
    for wa_id, texts in replies.items():
        questions = sorted(asked(m.text) for m in acknowledged.values() if m.wa_id == wa_id)
        assert sorted(answered(text) for text in texts) == questions, (wa_id, texts, state["reruns"])
    # Nothing half-written: every stored message has its session and its turn, every reply
    # went out, and no job is left pending, running or dead.
    assert state["orphan_messages"] == 0
    assert state["inbound"] == sorted(acknowledged), state
    assert state["inbound_without_turn"] == [], state
    assert state["outbound_status"] == Counter({"sent": len(acknowledged)}), state
    assert state["jobs"] == {"done": 2 * len(acknowledged)}, state
