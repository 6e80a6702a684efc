"""``X-Forwarded-For`` is believed only from a trusted proxy, and no value of it breaks a request
or the access log: garbage, many hops, CR/LF, IPv6 and 8 kB values all get a normal answer and
one JSON access line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from agente.observability.logging import configure_logging
from tests.conftest import embedded_settings, running

AUTH = {"Authorization": "Bearer s3cr3t-ops"}
HOSTILE = [
    "not-an-ip",
    "203.0.113.9, garbage, , ,",
    ", ".join(f"198.51.100.{i % 250}" for i in range(500)),
    "2001:db8::7",
    "[2001:db8::7]:443",
    "203.0.113.9\r\nX-Injected: yes",
    '203.0.113.9\n{"event": "forged line"}',
    "1" * 8_000,
    "999.999.999.999",
    "::ffff:203.0.113.9",
    "\x00\x01\x7f",
    "unknown, 203.0.113.9",
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_forwarded_for_is_answered_and_logged_as_one_line(tmp_path: Path, value: str) -> None:
    out = io.StringIO()
    configure_logging("INFO", stream=out)
    try:
        async with running(embedded_settings(tmp_path)) as svc:
            response = await svc.client.post("/api/test", json={"message": "test"}, headers={"X-Forwarded-For": value})
    finally:
        configure_logging("INFO")
    assert response.status_code in (200, 503)
    lines = out.getvalue().splitlines()
    records = [json.loads(line) for line in lines]  # every line is one whole JSON object
    access = [r for r in records if r["event"] == "request" and r.get("route") == "/api/test"]
    assert len(access) == 1
    assert not any(line.lstrip().startswith("X-Injected") or '"forged line"' in line[:20] for line in lines)


async def test_only_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, admin_token="ops:s3cr3t-ops", trusted_proxies="10.0.0.1")
    async with running(settings, client_address="10.0.0.1") as proxy:
        blocked = await proxy.client.post("/admin/blocklist", json={"address": "203.0.113.9"}, headers=AUTH)
        assert blocked.status_code == 201
        through_proxy = await proxy.client.post(
            "/api/nlu/parse", json={"text": "hola"}, headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
        )
        # The rightmost address the proxy did not add itself is the client: the one blocked.
        assert through_proxy.status_code == 403 and through_proxy.json()["error"]["code"] == "blocked"
        other = await proxy.client.post(
            "/api/nlu/parse", json={"text": "hola"}, headers={"X-Forwarded-For": "203.0.113.9, 198.51.100.1"}
        )
        assert other.status_code == 200  # what the client itself wrote before it is not believed
    async with running(settings, client_address="192.0.2.50") as direct:
        forged = await direct.client.post(
            "/api/nlu/parse", json={"text": "hola"}, headers={"X-Forwarded-For": "10.0.0.1"}
        )
        assert forged.status_code == 200  # an untrusted peer cannot pose as anyone
        spoofed = await direct.client.post(
            "/api/nlu/parse", json={"text": "hola"}, headers={"X-Forwarded-For": "198.51.100.1"}
        )
        assert spoofed.status_code == 200


async def test_an_untrusted_peer_cannot_dodge_the_blocklist_with_the_header(tmp_path: Path) -> None:
    settings = embedded_settings(tmp_path, admin_token="ops:s3cr3t-ops", trusted_proxies="10.0.0.1")
    async with running(settings, client_address="10.0.0.1") as proxy:
        await proxy.client.post("/admin/blocklist", json={"address": "192.0.2.0/24"}, headers=AUTH)
    async with running(settings, client_address="192.0.2.50") as direct:
        for value in ("10.0.0.1", "198.51.100.1", "127.0.0.1", "::1", "garbage"):
            response = await direct.client.post(
                "/api/nlu/parse", json={"text": "hola"}, headers={"X-Forwarded-For": value}
            )
            assert response.status_code == 403, value
