"""The PMS slow, failing, down and back, with the breaker set small (docs/pms.md).

The simulator's faults are driven through the admin API, as an operator rehearsing the
runbook would, against a real ``agente serve`` and ``agente worker``. What is checked is
what operators and guests see: the breaker opens after ``PMS_CB_FAILURE_THRESHOLD``
failures and lets a probe through after ``PMS_CB_RECOVERY_TIMEOUT`` (readiness and
``pms_circuit_breaker_state`` follow it); a guest is handed to staff at once while the
fallback flag is off and gets a quote "to be confirmed" while it is on; a booking asked for
while the PMS is down is pending, and is made exactly once by the worker when it is back.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import REDIS_SERVER_URL
from tests.faults.agente_procs import ADMIN, AgenteProcess, outputs, running, service_env
from tests.faults.stays import ask_for_stay

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

THRESHOLD = 2
RECOVERY_SECONDS = 2.0
PMS_TIMEOUT = 1.0
STATE = re.compile(r"^pms_circuit_breaker_state ([0-9.]+)$", re.MULTILINE)
CALLS = re.compile(r'^pms_circuit_breaker_calls_total\{result="(\w+)"\} ([0-9.]+)$', re.MULTILINE)
QUOTES = re.compile(r'^pms_requests_total\{operation="availability",outcome="(\w+)"\} ([0-9.]+)$', re.MULTILINE)


async def _say(http: httpx.AsyncClient, guest: str, text: str) -> dict[str, Any]:
    response = await http.post("/api/messages", json={"guest_id": guest, "text": text, "language": "en"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _faults(http: httpx.AsyncClient, **faults: object) -> None:
    response = await http.post("/admin/pms/simulator", json=faults, headers=ADMIN)
    assert response.status_code == 200, response.text
    await asyncio.sleep(1.1)  # every process re-reads the fault switch within a second


async def _breaker(http: httpx.AsyncClient) -> dict[str, Any]:
    body: dict[str, Any] = (await http.get("/admin/circuit-breakers", headers=ADMIN)).json()["pms"]
    return body


async def _self_test(http: httpx.AsyncClient) -> tuple[httpx.Response, float]:
    """The self test's answer, and how long its PMS step took (seconds)."""
    response = await http.post("/api/test", json={"message": "test"})
    return response, response.json()["checks"]["pms"]["latency_ms"] / 1000


async def _metrics(http: httpx.AsyncClient) -> tuple[float, dict[str, float]]:
    text = (await http.get("/metrics")).text
    state = STATE.search(text)
    assert state is not None, "pms_circuit_breaker_state missing from /metrics"
    return float(state.group(1)), {result: float(n) for result, n in CALLS.findall(text)}


async def _quote_outcomes(http: httpx.AsyncClient) -> dict[str, float]:
    """Availability requests to the PMS by outcome (ok, timeout, open...), as /metrics counts them."""
    return {outcome: float(n) for outcome, n in QUOTES.findall((await http.get("/metrics")).text)}


async def _bookings(database_url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Our booking records, the simulated PMS's bookings and the pending-booking jobs."""
    conn = await asyncpg.connect(database_url)
    try:
        records = await conn.fetch("SELECT reference, idempotency_key, status, pms_booking_id FROM bookings")
        made = await conn.fetch("SELECT id, idempotency_key FROM simulator_bookings")
        jobs = await conn.fetch("SELECT status, attempts FROM outbox WHERE kind = 'booking.create'")
    finally:
        await conn.close()
    return [dict(r) for r in records], [dict(r) for r in made], [dict(r) for r in jobs]


async def _until_confirmed(database_url: str, *, within: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while True:
        records, _, _ = await _bookings(database_url)
        if records and all(r["status"] != "pending" for r in records):
            return records
        assert time.monotonic() < deadline, f"booking still pending {within:g}s after the PMS came back: {records}"
        await asyncio.sleep(0.25)


async def test_breaker_fallback_and_pending_booking_through_pms_faults(
    tmp_path: Path, fresh_database: str, redis_namespace: str, nlu_model_dir: Path
) -> None:
    env = service_env(
        database_url=fresh_database,
        redis_url=REDIS_SERVER_URL,
        redis_prefix=redis_namespace,
        nlu_model_dir=nlu_model_dir,
        PMS_CB_FAILURE_THRESHOLD=str(THRESHOLD),
        PMS_CB_RECOVERY_TIMEOUT=str(RECOVERY_SECONDS),
        PMS_TIMEOUT=str(PMS_TIMEOUT),
        PMS_CACHE_TTL="1",  # quotes are asked of the PMS, not served from a fresh cache
    )
    api = AgenteProcess("serve", env, tmp_path, "api")
    worker = AgenteProcess("worker", env, tmp_path, "worker")
    stay = ask_for_stay(days_ahead=20)
    async with running(api, worker), httpx.AsyncClient(base_url=api.url, timeout=30.0) as http:
        # Healthy: a live quote (it also becomes the last known answer for that stay).
        live = await _say(http, "guest-live", stay)
        assert "USD" in live["reply"]["text"] and "to be confirmed" not in live["reply"]["text"], live
        assert (await _breaker(http))["state"] == "closed"

        # Slow: every call times out after PMS_TIMEOUT; the THRESHOLD-th failure opens the breaker.
        await _faults(http, latency_ms=3000)
        first, first_took = await _self_test(http)
        after_first = await _breaker(http)
        second, _ = await _self_test(http)
        after_second = await _breaker(http)
        ready_open = (await http.get("/health/ready")).json()
        state_open, calls_open = await _metrics(http)
        refused, refused_took = await _self_test(http)
        quotes_before = await _quote_outcomes(http)
        handed_off = await _say(http, "guest-handoff", stay)
        quotes_after = await _quote_outcomes(http)

        # Failing (5xx): once the recovery timeout has passed, one probe goes through, fails,
        # and the breaker opens again.
        await _faults(http, failure_rate=1.0)
        await asyncio.sleep(RECOVERY_SECONDS)
        probe, _ = await _self_test(http)
        after_probe = await _breaker(http)
        _, calls_probe = await _metrics(http)

        # Down, with the fallback on: a quote "to be confirmed", and a booking kept as pending.
        await _faults(http, down=True)
        flag = await http.post(
            "/admin/feature-flags", json={"flag": "pms.fallback.enabled", "enabled": True}, headers=ADMIN
        )
        assert flag.status_code == 200, flag.text
        await asyncio.sleep(1.1)  # the flag is re-read within a second
        quote = await _say(http, "guest-book", stay)
        for text in ("1", "Chris Evans", "chris.evans@gmail.com", "+1 202 555 0155"):
            summary = await _say(http, "guest-book", text)
        booked = await _say(http, "guest-book", "yes")
        await asyncio.sleep(RECOVERY_SECONDS + 1)  # the worker tries while the PMS is still down
        while_down = await _bookings(fresh_database)

        # Back: the next probe closes the breaker and the worker makes the booking, once.
        await _faults(http)
        records = await _until_confirmed(fresh_database, within=30)
        await asyncio.sleep(1.0)  # a second making of the booking, if any, would show now
        _, made, jobs = await _bookings(fresh_database)
        closed = await _breaker(http)
        ready_closed = (await http.get("/health/ready")).json()
        state_closed, _ = await _metrics(http)
        again = await _say(http, "guest-after", stay)
    logs = outputs(api, worker)

    assert first.status_code == 503 and first.json()["failed"] == ["pms"], first.text
    assert "did not answer" in first.json()["checks"]["pms"]["detail"], first.text
    assert first_took >= PMS_TIMEOUT, first_took  # it waited for the PMS, as long as allowed
    assert after_first["state"] == "closed" and after_first["failures"] == 1, after_first
    assert second.status_code == 503 and after_second["state"] == "open", (second.text, after_second)
    assert ready_open["status"] == "degraded" and ready_open["dependencies"]["pms"]["status"] == "degraded"
    assert ready_open["dependencies"]["pms"]["info"]["circuit_breaker"] == "open"
    assert state_open == 1.0
    assert calls_open.get("failure") == THRESHOLD, calls_open
    # Open: refused at once, and no guest waits on the PMS — with the flag off, staff take over.
    assert "Circuit breaker is OPEN" in refused.json()["checks"]["pms"]["detail"], refused.text
    assert refused_took < PMS_TIMEOUT / 2, refused_took
    assert handed_off["status"] == "handoff", handed_off
    assert quotes_after.get("open", 0) > quotes_before.get("open", 0), (quotes_before, quotes_after)
    assert quotes_after.get("timeout", 0) == quotes_before.get("timeout", 0), (quotes_before, quotes_after)

    assert "simulated failure" in probe.json()["checks"]["pms"]["detail"], probe.text
    assert after_probe["state"] == "open" and after_probe["failures"] == THRESHOLD + 1, after_probe
    assert calls_probe.get("failure") == THRESHOLD + 1, calls_probe

    assert "to be confirmed" in quote["reply"]["text"] and quote["status"] == "bot", quote
    assert summary["state"] == "confirm_booking" and "to be confirmed" in summary["reply"]["text"], summary
    assert "as soon as it's back" in booked["reply"]["text"], booked
    pending_records, made_while_down, jobs_while_down = while_down
    assert [r["status"] for r in pending_records] == ["pending"] and made_while_down == [], while_down
    assert [j["status"] for j in jobs_while_down] == ["pending"], while_down
    reference = pending_records[0]["reference"]
    assert reference in booked["reply"]["text"]

    assert [(r["reference"], r["status"]) for r in records] == [(reference, "confirmed")], (records, logs)
    assert records[0]["pms_booking_id"], records
    assert [m["idempotency_key"] for m in made] == [records[0]["idempotency_key"]], made
    assert [j["status"] for j in jobs] == ["done"], jobs
    assert closed["state"] == "closed" and ready_closed["status"] == "healthy", (closed, ready_closed)
    assert state_closed == 0.0
    assert "USD" in again["reply"]["text"] and "to be confirmed" not in again["reply"]["text"], again
