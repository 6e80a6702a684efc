"""Schemathesis against the OpenAPI document, with the app served in process (embedded settings).

Every operation is called with generated requests, valid and invalid ones: the admin API with
a valid bearer token, the webhooks with a valid signature over the generated body. No answer
may be a 5xx, and every answer must be what the document says (a documented status, content
type, body shape and headers); an invalid request must be refused.

State a generated admin call changes (simulated PMS faults, rate limits, a blocked address)
is put back after it, so later calls are answered as the document says they normally are.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from agente.channels.email.signature import HEADER as EMAIL_SIGNATURE
from agente.channels.email.signature import sign as sign_email
from agente.channels.whatsapp.signature import sign as sign_whatsapp
from agente.config import Settings
from agente.main import create_app
from tests.conftest import Running, embedded_settings, running

TOKEN = "schemathesis-admin-token"
WHATSAPP_SECRET = "whatsapp-app-secret"
EMAIL_SECRET = "email-webhook-secret"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
]
# The document is the same whatever the settings; nothing is started to read it.
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings(env="test")).openapi())


@dataclass
class Served:
    portal: BlockingPortal
    service: Running

    def request(self, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.portal.call(functools.partial(self.service.client.request, **kwargs))
        return response


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings_ = embedded_settings(
        tmp_path_factory.mktemp("schemathesis"),
        admin_token=f"ops:{TOKEN}",
        whatsapp_app_secret=SecretStr(WHATSAPP_SECRET),
        whatsapp_verify_token=SecretStr("verify-me"),
        email_webhook_secret=SecretStr(EMAIL_SECRET),
        smtp_host="127.0.0.1",  # never reached: no worker runs in this process
        smtp_from="Hotel <reservas@hotel.example>",
        rate_limit_max_requests=1_000_000,
    )
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(running(settings_)) as service:
        yield Served(portal, service)


def _transport_kwargs(case: Case[Any]) -> dict[str, Any]:
    """The request for ``case`` as httpx arguments; webhook bodies signed, admin calls authorised."""
    sent = case.as_transport_kwargs(base_url="http://agente.test")
    headers = {k: str(v) for k, v in (sent.get("headers") or {}).items()}
    kwargs: dict[str, Any] = {
        "method": sent["method"],
        "url": sent["url"],
        "params": sent.get("params"),
        "headers": headers,
    }
    if "json" in sent:
        kwargs["content"] = json.dumps(sent["json"]).encode()
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(sent.get("data"), bytes | str):
        kwargs["content"] = sent["data"]
    elif sent.get("data") is not None:
        kwargs["data"] = sent["data"]
    path = case.operation.path
    if path.startswith("/admin/"):
        headers["Authorization"] = f"Bearer {TOKEN}"
    if case.method == "POST" and path.startswith("/webhooks/"):
        raw = kwargs.get("content", b"")
        raw = raw.encode() if isinstance(raw, str) else raw
        kwargs["content"] = raw
        if path == "/webhooks/whatsapp":
            headers["X-Hub-Signature-256"] = sign_whatsapp(raw, WHATSAPP_SECRET)
        else:
            headers[EMAIL_SIGNATURE] = sign_email(raw, EMAIL_SECRET)
    return kwargs


def _restore(served: Served, case: Case[Any], response: httpx.Response) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    path = case.operation.path
    if case.method != "POST" or response.status_code >= 300:
        return
    if path == "/admin/pms/simulator":
        served.request(method="POST", url="/admin/pms/simulator", json={}, headers=auth)
    elif path == "/admin/rate-limits":
        limits = {"max_requests": 1_000_000, "window_seconds": 60, "strict_mode": False}
        served.request(method="POST", url="/admin/rate-limits", json=limits, headers=auth)
    elif path == "/admin/blocklist":
        served.request(
            method="DELETE", url="/admin/blocklist", params={"address": response.json()["address"]}, headers=auth
        )


@SCHEMA.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    print_blob=False,
)
def test_every_operation_answers_as_documented(case: Case[Any], served: Served) -> None:
    response = served.request(**_transport_kwargs(case))
    excluded = []
    if case.operation.path == "/webhooks/whatsapp" and case.method == "POST":
        # By design a signed delivery is always acknowledged, readable or not (Meta must not
        # retry it); one that is not a delivery is kept as a dead job for an operator.
        excluded.append(negative_data_rejection)
    try:
        case.validate_response(response, checks=[c for c in CHECKS if c not in excluded])
    finally:
        _restore(served, case, response)


def _operations() -> list[Any]:
    found = []
    for result in SCHEMA.get_all_operations():
        assert isinstance(result, Ok), result
        found.append(result.ok())
    return found


def test_the_document_covers_every_route() -> None:
    operations = {(op.method.upper(), op.path) for op in _operations()}
    assert ("POST", "/webhooks/whatsapp") in operations and ("PUT", "/admin/hotel-facts/{topic}") in operations
    assert len(operations) >= 31


def test_the_admin_bodies_and_webhook_signatures_are_documented() -> None:
    document = SCHEMA.raw_schema
    flag = document["paths"]["/admin/feature-flags"]["post"]
    assert flag["requestBody"]["content"]["application/json"]["schema"]["required"] == ["flag", "enabled"]
    deliver = document["paths"]["/webhooks/whatsapp"]["post"]
    assert [p["name"] for p in deliver["parameters"]] == ["X-Hub-Signature-256"]
    assert {"401", "413"} <= set(deliver["responses"])
    forbidden = document["paths"]["/webhooks/whatsapp"]["get"]["responses"]["403"]["content"]
    assert set(forbidden) == {"application/json"}  # the error of a plain-text route is JSON
    assert forbidden["application/json"]["schema"]["required"] == ["error", "request_id"]
