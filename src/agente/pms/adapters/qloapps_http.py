"""HTTP to a QloApps (1.6.1) webservice: addresses, key, JSON, and failures in the PMS's terms.

:class:`Webservice` is the transport of :class:`~agente.pms.adapters.qloapps.QloAppsPms`. The
quirks it handles are those of the QloApps facts sheet
(``/work/shared/reference/qloapps-webservice.md``, "facts" below), section "Transport".

Failures are translated here, where they meet the adapter, as httpx's
``map_httpcore_exceptions`` does; nothing from httpx gets past this module::

    httpx timeout, or the timeout passed with no answer        → PmsTimeoutError
    connection or protocol error, 5xx, an answer not JSON      → PmsUnavailableError
    302 (Host is not the shop domain), 401/403/405,
      503 code 22 (webservice off), XML instead of JSON,
      404 from something that is not the webservice           → PmsConfigurationError
    400 "Requested room(s) not available."                     → RoomsNotAvailableError
    404 with an empty body (no such id)                        → what the caller names
    any other 4xx                                              → PmsRejectedError

Messages name the operation (``GET hotels``), never the key. With tracing on, each exchange
is a client span ``qloapps GET hotels`` and carries the W3C ``traceparent`` header.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from opentelemetry.trace import SpanKind

from agente.observability import tracing
from agente.pms.errors import (
    PmsConfigurationError,
    PmsError,
    PmsRejectedError,
    PmsTimeoutError,
    PmsUnavailableError,
    RoomsNotAvailableError,
)

URL_STYLES = ("rewrite", "dispatcher")
# The one validation message that means "the rooms went" (facts: "Create a booking"); it
# comes with HTTP 400 and inner code 404, like every other booking validation error.
NOT_AVAILABLE = "Requested room(s) not available."
# A webservice call must not hold more than a few of the hotel's PHP workers, which also
# serve its front office and website.
_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=5, keepalive_expiry=30.0)
# Errors that prove a request never left.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Missing = Callable[[], PmsError]


def may_have_arrived(failure: PmsUnavailableError) -> bool:
    """Whether a failed request may still have been acted on by QloApps (its answer was lost or
    was an error after the fact), so that a write must be reconciled rather than assumed undone."""
    return not isinstance(failure.__cause__, _NOT_SENT)


class Webservice:
    """One pooled ``httpx.AsyncClient`` to one QloApps webservice.

    Authenticates with the key as HTTP Basic user name and an empty password, and asks for
    JSON in the only spelling QloApps honours, upper-case ``JSON``, as a header and in the
    query (a lower-case ``json`` silently gives XML). Redirects are not followed: the only
    one QloApps gives is the Host-mismatch 302.

    ``url_style`` is ``"rewrite"`` (``{base}/api/<resource>``) or ``"dispatcher"``
    (``{base}/webservice/dispatcher.php?url=<resource>``, for servers without URL rewriting).
    ``timeout`` bounds each exchange as a whole. :meth:`read` retries unavailability
    ``read_retries`` times after ``backoff``, ``2 * backoff``... seconds; :meth:`send` never
    retries. Raises ``PmsConfigurationError`` for an unknown ``url_style`` or a base URL httpx
    cannot use.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float,
        url_style: str,
        transport: httpx.AsyncBaseTransport | None,
        read_retries: int,
        backoff: float,
    ) -> None:
        if url_style not in URL_STYLES:
            raise PmsConfigurationError(f"PMS_URL_STYLE must be one of {', '.join(URL_STYLES)}, not {url_style!r}")
        self.base_url = base_url.rstrip("/")
        self.url_style = url_style
        self.timeout = timeout
        self._secret = api_key
        self._read_retries = max(0, read_retries)
        self._backoff = backoff
        try:
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                auth=httpx.BasicAuth(api_key, ""),
                headers={"Output-Format": "JSON"},
                timeout=httpx.Timeout(timeout),
                limits=_LIMITS,
                follow_redirects=False,
                transport=transport,
            )
        except (httpx.InvalidURL, TypeError) as exc:
            raise PmsConfigurationError(f"PMS_BASE_URL {self.base_url!r} is not a usable address") from exc

    async def read(
        self,
        method: str,
        resource: str,
        *,
        params: dict[str, str] | None = None,
        xml: bytes | None = None,
        missing: Missing | None = None,
    ) -> object:
        """The JSON answer to a request that changes nothing, retried while QloApps is unavailable."""
        attempt = 0
        while True:
            try:
                return await self.send(method, resource, params=params, xml=xml, missing=missing)
            except PmsUnavailableError:
                if attempt >= self._read_retries:
                    raise
            await asyncio.sleep(self._backoff * 2**attempt)
            attempt += 1

    async def send(
        self,
        method: str,
        resource: str,
        *,
        params: dict[str, str] | None = None,
        xml: bytes | None = None,
        body: object = None,
        missing: Missing | None = None,
    ) -> object:
        """One exchange, sent once: ``xml`` or ``body`` (as JSON) is the request body; the
        decoded JSON answer (``{}`` when empty). ``missing`` makes the error a 404 stands for."""
        query = dict(params or {})
        if self.url_style == "rewrite":
            path = f"/api/{resource}"
        else:
            path, query["url"] = "/webservice/dispatcher.php", resource
        query["output_format"] = "JSON"  # also in the query: proxies may drop the header
        headers: dict[str, str] = {}
        content: bytes | None = None
        if xml is not None:
            content, headers["Content-Type"] = xml, "application/xml"
        elif body is not None:
            content, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        operation = f"{method} {resource.split('/')[0]}"
        attributes = {"http.request.method": method, "pms.resource": resource.split("/")[0]}
        with (
            self._translating(operation),
            tracing.span(f"qloapps {operation}", kind=SpanKind.CLIENT, attributes=attributes) as span,
        ):
            tracing.inject(headers)
            # httpx's timeouts bound each phase; this bounds the exchange, so a server that
            # trickles its answer cannot hold a caller longer than the timeout either.
            async with asyncio.timeout(self.timeout):
                response = await self._client.request(method, path, params=query, content=content, headers=headers)
            span.set_attribute("http.response.status_code", response.status_code)
        self._raise_for_status(response, operation, missing)
        return self._decode(response, operation)

    async def aclose(self) -> None:
        await self._client.aclose()

    @contextmanager
    def _translating(self, operation: str) -> Iterator[None]:
        try:
            yield
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise PmsTimeoutError(f"QloApps did not answer {operation} within {self.timeout:g}s") from exc
        except httpx.UnsupportedProtocol as exc:
            raise PmsConfigurationError(f"PMS_BASE_URL {self.base_url!r} is not an http(s) address") from exc
        except httpx.HTTPError as exc:
            reason = self._redact(f"{type(exc).__name__}: {exc}")
            raise PmsUnavailableError(f"QloApps could not be asked {operation}: {reason}") from exc

    def _raise_for_status(self, response: httpx.Response, operation: str, missing: Missing | None) -> None:
        status = response.status_code
        if status < 300:
            return
        errors = _errors(response)
        detail = self._redact("; ".join(message for _, message in errors) or response.reason_phrase)
        if status < 400:
            # QloApps redirects to /index.php when the Host header is not the shop domain, port
            # included (facts: "Transport"); it is not down, it is addressed by the wrong name.
            raise PmsConfigurationError(
                f"QloApps answered {operation} with a {status} redirect to {response.headers.get('location', '?')}: "
                "the host of PMS_BASE_URL does not match the shop domain set in QloApps (port included)"
            )
        if status in (401, 403, 405):
            # 401 codes 17/18 (no key, bad key), 26 (key lacks the resource); 405 code 25 (method).
            raise PmsConfigurationError(
                f"QloApps refused the webservice key for {operation} (HTTP {status}: {detail}); "
                "check PMS_API_KEY and the key's permissions"
            )
        if status == 503 and any(code == 22 for code, _ in errors):
            raise PmsConfigurationError(f"the QloApps webservice is disabled ({detail}); enable it in the back office")
        if status >= 500:
            raise PmsUnavailableError(f"QloApps answered {operation} with HTTP {status} ({detail})")
        if status == 404 and not response.content and missing is not None:
            raise missing()  # a GET of a missing id: 404 with an empty body (facts: "Errors")
        if status == 404 and not errors:
            raise PmsConfigurationError(
                f"{operation} reached no QloApps webservice (HTTP 404); check PMS_BASE_URL and PMS_URL_STYLE"
            )
        if any(message == NOT_AVAILABLE for _, message in errors):
            raise RoomsNotAvailableError(NOT_AVAILABLE)
        raise PmsRejectedError(f"QloApps rejected {operation}: {detail}")

    def _decode(self, response: httpx.Response, operation: str) -> object:
        if not response.content.strip():
            return {}
        try:
            payload: object = response.json()
        except ValueError as exc:
            if response.content.lstrip()[:64].lower().startswith((b"<?xml", b"<qloapps", b"<prestashop")):
                raise PmsConfigurationError(
                    f"QloApps answered {operation} in XML although JSON was asked for; "
                    "something between the service and QloApps drops the output_format parameter"
                ) from exc
            raise PmsUnavailableError(f"QloApps answered {operation} with something that is not JSON") from exc
        return payload

    def _redact(self, message: str) -> str:
        return message.replace(self._secret, "***") if self._secret else message


def _errors(response: httpx.Response) -> list[tuple[int, str]]:
    """``(code, message)`` pairs of a JSON error answer; none when the body is something else."""
    try:
        payload: Any = response.json()
        return [(int(error.get("code", 0)), str(error.get("message", ""))) for error in payload["errors"]]
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
