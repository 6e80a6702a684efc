"""Sending through the WhatsApp Cloud API (Graph API ``/{phone_number_id}/messages``).

Failures are translated here, where they meet httpx, so nothing from httpx gets past this
module (facts: "Sending")::

    timeout, or no answer within the timeout             → SendRetryableError (maybe_sent)
    connection refused or dropped before sending         → SendRetryableError
    connection dropped after sending, protocol error     → SendRetryableError (maybe_sent)
    code 130429 / 131056 / 80007, HTTP 429               → SendRetryableError (retry_after)
    HTTP 5xx                                             → SendRetryableError (retry_after)
    code 190, HTTP 401 without a code                    → TokenExpiredError
    code 131047                                          → WindowClosedError
    code 131026                                          → UndeliverableError
    any other 4xx, a 2xx without a message id            → SendPermanentError

Messages name the operation and Meta's code and text, never the access token or the
recipient.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
from opentelemetry.trace import SpanKind

from agente.channels.errors import (
    SendError,
    SendPermanentError,
    SendRetryableError,
    TokenExpiredError,
    UndeliverableError,
    WindowClosedError,
)
from agente.channels.whatsapp.text import TEXT_LIMIT, text_size
from agente.errors import ConfigurationError
from agente.observability import tracing

__all__ = ["DEFAULT_API_BASE", "RATE_LIMIT_CODES", "WhatsAppClient"]

DEFAULT_API_BASE = "https://graph.facebook.com/v21.0"
RATE_LIMIT_CODES = frozenset({130429, 131056, 80007})
_PERMANENT_CODES: dict[int, type[SendPermanentError]] = {
    190: TokenExpiredError,
    131047: WindowClosedError,
    131026: UndeliverableError,
}
_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=60.0)
# Errors that prove the request never reached Meta, so a retry cannot send the text twice.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class WhatsAppClient:
    """One pooled ``httpx.AsyncClient`` sending as one WhatsApp business phone number.

    ``api_base`` is ``WHATSAPP_API_BASE`` (version included, e.g.
    ``https://graph.facebook.com/v21.0``); ``timeout`` bounds each request as a whole;
    ``transport`` replaces the network (tests pass ``httpx.ASGITransport`` over a double).
    Raises ``ConfigurationError`` for an ``api_base`` that is not an http(s) address or an
    empty phone number id or token. Every method raises only
    :class:`~agente.channels.errors.SendError` subclasses; close with :meth:`aclose` or use
    ``async with``.

    Example::

        async with WhatsAppClient(api_base, phone_number_id, token) as client:
            for part in split_text(reply):
                wamid = await client.send_text("34600111222", part)
    """

    def __init__(
        self,
        api_base: str,
        phone_number_id: str,
        access_token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        address = urlsplit(api_base)
        if address.scheme not in ("http", "https") or not address.netloc:
            raise ConfigurationError(f"WHATSAPP_API_BASE {api_base!r} is not an http(s) address")
        if not phone_number_id or not access_token:
            raise ConfigurationError("WhatsApp needs a phone number id and an access token")
        self.api_base = api_base.rstrip("/")
        self.phone_number_id = phone_number_id
        self.timeout = timeout
        self._token = access_token
        self._client = httpx.AsyncClient(
            base_url=self.api_base,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=httpx.Timeout(timeout),
            limits=_LIMITS,
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"WhatsAppClient(api_base={self.api_base!r}, phone_number_id={self.phone_number_id!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send_text(self, to: str, body: str) -> str:
        """Send ``body`` to the WhatsApp id ``to`` as one text message; its wamid.

        Link previews are off. A blank body, or one over 4096 (see
        :func:`~agente.channels.whatsapp.text.split_text`), raises ``SendPermanentError``
        without sending.
        """
        if not body.strip():
            raise SendPermanentError("send text: the body is blank")
        if text_size(body) > TEXT_LIMIT:
            raise SendPermanentError(
                f"send text: the body is {text_size(body)} long, over WhatsApp's {TEXT_LIMIT}; split it with split_text"
            )
        message: dict[str, object] = {"type": "text", "text": {"preview_url": False, "body": body}}
        return _wamid(await self._post("send text", _envelope(to, message)), "send text")

    async def send_template(
        self, to: str, name: str, language: str, components: Sequence[Mapping[str, object]] | None = None
    ) -> str:
        """Send the approved template ``name`` in ``language`` (e.g. ``es``, ``en_US``) to
        ``to``; its wamid. ``components`` fills the template's parameters, as the Graph API
        takes them. Templates may be sent outside the 24-hour window."""
        template: dict[str, object] = {"name": name, "language": {"code": language}}
        if components:
            template["components"] = [dict(component) for component in components]
        operation = f"send template {name}"
        return _wamid(await self._post(operation, _envelope(to, {"type": "template", "template": template})), operation)

    async def mark_read(self, wamid: str) -> None:
        """Mark the guest's message ``wamid`` (and those before it) as read: blue ticks."""
        await self._post("mark read", {"messaging_product": "whatsapp", "status": "read", "message_id": wamid})

    async def _post(self, operation: str, payload: dict[str, object]) -> object:
        # The span names the operation only: the payload holds the guest's number and text.
        with (
            self._translating(operation),
            tracing.span(
                f"whatsapp {operation}", kind=SpanKind.CLIENT, attributes={"http.request.method": "POST"}
            ) as span,
        ):
            # httpx's timeouts bound each phase; this bounds the exchange, so a server that
            # trickles its answer cannot hold the outbox longer than the timeout either.
            async with asyncio.timeout(self.timeout):
                response = await self._client.post(f"/{self.phone_number_id}/messages", json=payload)
            span.set_attribute("http.response.status_code", response.status_code)
        if response.status_code >= 300:
            raise self._failure(operation, response)
        try:
            answer: object = response.json()
        except ValueError:
            answer = None
        return answer

    @contextmanager
    def _translating(self, operation: str) -> Iterator[None]:
        try:
            yield
        except (httpx.TimeoutException, TimeoutError) as exc:
            sent = not isinstance(exc, _NOT_SENT)
            raise SendRetryableError(
                f"{operation}: no answer from WhatsApp within {self.timeout:g}s", maybe_sent=sent
            ) from exc
        except httpx.HTTPError as exc:
            reason = self._redact(f"{type(exc).__name__}: {exc}")
            raise SendRetryableError(
                f"{operation}: WhatsApp could not be reached ({reason})", maybe_sent=not isinstance(exc, _NOT_SENT)
            ) from exc

    def _failure(self, operation: str, response: httpx.Response) -> SendError:
        status = response.status_code
        code, text = _graph_error(response)
        detail = self._redact(f"HTTP {status}" + (f", code {code}" if code is not None else "") + f": {text}")
        message = f"{operation}: WhatsApp refused ({detail})"
        if code in RATE_LIMIT_CODES or status == 429:
            return SendRetryableError(message, code=code, retry_after=_retry_after(response))
        if code in _PERMANENT_CODES:
            return _PERMANENT_CODES[code](message, code=code)
        if status == 401 and code is None:
            return TokenExpiredError(message, code=code)
        if status >= 500:
            return SendRetryableError(message, code=code, retry_after=_retry_after(response))
        return SendPermanentError(message, code=code)

    def _redact(self, message: str) -> str:
        return message.replace(self._token, "***")


def _envelope(to: str, message: dict[str, object]) -> dict[str, object]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}


def _wamid(answer: Any, operation: str) -> str:
    """The id in a send's answer, ``{"messages": [{"id": "wamid..."}]}``."""
    try:
        wamid = answer["messages"][0]["id"]
    except (KeyError, IndexError, TypeError) as exc:
        # Meta accepted the request, so the message probably left: retrying could send it twice.
        raise SendPermanentError(f"{operation}: WhatsApp accepted the message but gave no message id") from exc
    if not isinstance(wamid, str) or not wamid:
        raise SendPermanentError(f"{operation}: WhatsApp accepted the message but gave no message id")
    return wamid


def _graph_error(response: httpx.Response) -> tuple[int | None, str]:
    """``(error.code, error.message)`` of a Graph API error answer."""
    try:
        error: Any = response.json()["error"]
        code = error.get("code")
        text = str(error.get("message") or response.reason_phrase)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, response.reason_phrase
    if isinstance(code, str) and code.isdigit():
        code = int(code)
    return (code if isinstance(code, int) and not isinstance(code, bool) else None), text


def _retry_after(response: httpx.Response) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (delay or HTTP date)."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - time.time())
