"""Every admin POST/PUT route against arbitrary JSON, and arbitrary bytes under any content type.

Whatever the body, the answer is never a 5xx: a body the route cannot use is a 4xx with the
service's error shape (``{"error": {"code", "message"}, "request_id"}``), and one it can use
is a 2xx. The routes are read from the app, so a new admin route is fuzzed as soon as it exists.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Running, embedded_settings, running
from tests.fuzz.strategies import fuzz_settings, json_values
from tests.security.routes import concrete, operations

TOKEN = "fuzz-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# Path parameters that exist (a known FAQ topic) or not (a conversation, a job): either way
# the body is read and judged.
ADMIN_WRITES = [
    (method, concrete(path))
    for method, path in operations()
    if path.startswith("/admin/") and method in ("POST", "PUT")
]
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin-1",
            "application/xml",
            "",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40),
)


@pytest.fixture
async def admin(tmp_path: Path) -> AsyncIterator[Running]:
    async with running(
        embedded_settings(tmp_path, admin_token=f"ops:{TOKEN}", rate_limit_max_requests=1_000_000)
    ) as svc:
        yield svc


def _assert_answer(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json")
        body: Any = response.json()
        assert set(body) == {"error", "request_id"}
        assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)


def test_the_admin_writes_are_enumerated_from_the_app() -> None:
    assert ("POST", "/admin/feature-flags") in ADMIN_WRITES
    assert ("PUT", "/admin/hotel-facts/wifi") in ADMIN_WRITES
    assert len(ADMIN_WRITES) >= 9


@fuzz_settings(150, fixture_shared=True)
@given(route=st.sampled_from(ADMIN_WRITES), document=json_values())
async def test_arbitrary_json_is_never_a_server_error(admin: Running, route: tuple[str, str], document: object) -> None:
    method, path = route
    response = await admin.client.request(method, path, content=json.dumps(document).encode(), headers=AUTH)
    _assert_answer(response)


@fuzz_settings(150, fixture_shared=True)
@given(route=st.sampled_from(ADMIN_WRITES), raw=st.binary(max_size=3_000), content_type=CONTENT_TYPES)
async def test_arbitrary_bytes_under_any_content_type_are_never_a_server_error(
    admin: Running, route: tuple[str, str], raw: bytes, content_type: str
) -> None:
    method, path = route
    response = await admin.client.request(method, path, content=raw, headers={**AUTH, "Content-Type": content_type})
    _assert_answer(response)
