"""The Graph API's ``/{phone_number_id}/messages`` in a box, for the WhatsApp client's tests.

An ASGI app that answers as the facts sheet (``/work/shared/reference/whatsapp-cloud-api.md``,
"Sending") describes: Bearer token check (401, code 190), the phone number id in the path
(400, code 100 for another), text, template and mark-as-read bodies validated (400, code 100),
``{"messages": [{"id": "wamid..."}]}`` for a send and ``{"success": true}`` for a read. Use it
through ``httpx.ASGITransport(app=double)`` with base ``http://graph.test/v21.0``.

Switches for tests: :meth:`fail_server` (the next N requests get a 5xx), :meth:`rate_limit`
(the next N get code 130429, with ``Retry-After`` if given), :attr:`outside_window`
(recipients that get 131047 for free-form text), :attr:`undeliverable` (131026),
:attr:`token_expired` (every request gets 190), :attr:`delay` (seconds before answering).
:attr:`sent` holds what was sent per recipient, :attr:`read` the wamids marked read,
:attr:`requests` every request's decoded body.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.types import Receive, Scope, Send

TOKEN = "EAAG-test-access-token-0123456789abcdef"
PHONE_NUMBER_ID = "1234567890"
VERSION = "v21.0"
API_BASE = f"http://graph.test/{VERSION}"

Json = dict[str, Any]
Headers = list[tuple[bytes, bytes]]


@dataclass
class _Failure:
    status: int
    code: int
    message: str
    remaining: int
    retry_after: str | None = None
    after: int = 0  # requests answered normally before this failure starts


@dataclass
class GraphDouble:
    token: str = TOKEN
    phone_number_id: str = PHONE_NUMBER_ID
    version: str = VERSION
    token_expired: bool = False
    delay: float = 0.0
    outside_window: set[str] = field(default_factory=set)
    undeliverable: set[str] = field(default_factory=set)
    sent: dict[str, list[Json]] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)
    requests: list[Json] = field(default_factory=list)
    _failures: list[_Failure] = field(default_factory=list)
    _counter: int = 0

    def fail_server(self, times: int = 1, status: int = 500, *, after: int = 0) -> None:
        """Answer ``times`` requests with ``status`` (a transient Graph error), starting once
        ``after`` more requests have been answered normally."""
        self._failures.append(_Failure(status, 2, "Service temporarily unavailable", times, after=after))

    def rate_limit(self, times: int = 1, *, code: int = 130429, retry_after: str | None = None) -> None:
        """Answer the next ``times`` requests with a rate-limit error ``code``."""
        message = "(#130429) Rate limit hit"
        self._failures.append(_Failure(429, code, message, times, retry_after))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        raw = b""
        more = True
        while more:
            event = await receive()
            raw += event.get("body", b"")
            more = event.get("more_body", False)
        if self.delay:
            await asyncio.sleep(self.delay)
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        status, answer, extra = self._answer(scope["method"], scope["path"], headers, raw)
        body = json.dumps(answer).encode()
        response_headers = [(b"content-type", b"application/json"), *extra]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})

    def _answer(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Json, Headers]:
        if headers.get("authorization") != f"Bearer {self.token}" or self.token_expired:
            return _error(401, 190, "Error validating access token: Session has expired", "OAuthException")
        parts = path.strip("/").split("/")
        if method != "POST" or len(parts) != 3 or parts[0] != self.version or parts[2] != "messages":
            return _error(400, 100, "Unknown path components", "OAuthException")
        if parts[1] != self.phone_number_id:
            return _error(400, 100, f"Unsupported post request. Object with ID '{parts[1]}' does not exist")
        if self._failures and self._failures[0].after > 0:
            self._failures[0].after -= 1
        elif self._failures:
            failure = self._failures[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.pop(0)
            extra = [(b"retry-after", failure.retry_after.encode())] if failure.retry_after else []
            status, answer, _ = _error(failure.status, failure.code, failure.message)
            return status, answer, extra
        try:
            body = json.loads(raw)
        except ValueError:
            return _error(400, 100, "Invalid JSON")
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return _error(400, 100, "The parameter messaging_product is required.")
        self.requests.append(body)
        if body.get("status") == "read":
            return self._mark_read(body)
        return self._send(body)

    def _mark_read(self, body: Json) -> tuple[int, Json, Headers]:
        wamid = body.get("message_id")
        if not isinstance(wamid, str) or not wamid.startswith("wamid."):
            return _error(400, 100, "Invalid parameter: message_id")
        self.read.append(wamid)
        return 200, {"success": True}, []

    def _send(self, body: Json) -> tuple[int, Json, Headers]:
        to, kind = body.get("to"), body.get("type")
        if body.get("recipient_type") != "individual" or not isinstance(to, str) or not to:
            return _error(400, 100, "Invalid parameter: to")
        if kind == "text":
            text = body.get("text")
            if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"]:
                return _error(400, 100, "Invalid parameter: text.body")
            if len(text["body"]) > 4096:
                return _error(400, 100, "Param text['body'] must be at most 4096 characters long.")
            if to in self.outside_window:
                return _error(
                    400, 131047, "Re-engagement message: more than 24 hours have passed since the customer last replied"
                )
        elif kind == "template":
            template = body.get("template")
            if not isinstance(template, dict) or not template.get("name"):
                return _error(400, 100, "Invalid parameter: template.name")
            language = template.get("language")
            if not isinstance(language, dict) or not language.get("code"):
                return _error(400, 100, "Invalid parameter: template.language.code")
        else:
            return _error(400, 100, f"Invalid parameter: type {kind!r}")
        if to in self.undeliverable:
            return _error(400, 131026, "Message Undeliverable.")
        self._counter += 1
        wamid = f"wamid.DOUBLE{self._counter:06d}"
        self.sent.setdefault(to, []).append({**body, "id": wamid})
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": wamid}],
        }
        return 200, answer, []


def _error(status: int, code: int, message: str, kind: str = "OAuthException") -> tuple[int, Json, Headers]:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGhIjK"}
    return status, {"error": error}, []
