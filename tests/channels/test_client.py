from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from agente.channels.errors import (
    SendError,
    SendPermanentError,
    SendRetryableError,
    TokenExpiredError,
    UndeliverableError,
    WindowClosedError,
)
from agente.channels.whatsapp.client import WhatsAppClient
from agente.errors import ConfigurationError

from .graph_double import API_BASE, PHONE_NUMBER_ID, TOKEN, GraphDouble

GUEST = "34600111222"


@pytest.fixture
def double() -> GraphDouble:
    return GraphDouble()


@pytest.fixture
async def client(double: GraphDouble) -> AsyncIterator[WhatsAppClient]:
    async with WhatsAppClient(
        API_BASE, PHONE_NUMBER_ID, TOKEN, timeout=0.5, transport=httpx.ASGITransport(app=double)
    ) as client:
        yield client


def _no_token(error: BaseException) -> None:
    assert TOKEN not in str(error)
    assert TOKEN not in repr(error)


async def test_send_text_returns_the_wamid_and_sends_the_documented_body(
    client: WhatsAppClient, double: GraphDouble
) -> None:
    wamid = await client.send_text(GUEST, "Hola 👋, ¿en qué puedo ayudarle?")
    assert wamid == "wamid.DOUBLE000001"
    assert double.sent == {
        GUEST: [
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": GUEST,
                "type": "text",
                "text": {"preview_url": False, "body": "Hola 👋, ¿en qué puedo ayudarle?"},
                "id": wamid,
            }
        ]
    }


async def test_send_template_returns_the_wamid(client: WhatsAppClient, double: GraphDouble) -> None:
    components = [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]
    wamid = await client.send_template(GUEST, "checkin_reminder", "es", components)
    plain = await client.send_template(GUEST, "welcome", "en_US")
    assert (wamid, plain) == ("wamid.DOUBLE000001", "wamid.DOUBLE000002")
    assert [m["template"] for m in double.sent[GUEST]] == [
        {"name": "checkin_reminder", "language": {"code": "es"}, "components": components},
        {"name": "welcome", "language": {"code": "en_US"}},
    ]


async def test_mark_read(client: WhatsAppClient, double: GraphDouble) -> None:
    await client.mark_read("wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUY=")
    assert double.read == ["wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUY="]
    assert double.requests[-1] == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.HBgLMzQ2MDAxMTEyMjIVAgASGBQzQUY=",
    }


async def test_server_errors_are_retryable_and_then_it_sends(client: WhatsAppClient, double: GraphDouble) -> None:
    double.fail_server(times=2, status=503)
    for _ in range(2):
        with pytest.raises(SendRetryableError) as caught:
            await client.send_text(GUEST, "Hola")
        assert (caught.value.code, caught.value.retry_after, caught.value.maybe_sent) == (2, None, False)
        _no_token(caught.value)
    assert await client.send_text(GUEST, "Hola") == "wamid.DOUBLE000001"
    assert len(double.sent[GUEST]) == 1


@pytest.mark.parametrize("code", [130429, 131056, 80007])
async def test_rate_limits_are_retryable_with_retry_after(
    client: WhatsAppClient, double: GraphDouble, code: int
) -> None:
    double.rate_limit(code=code, retry_after="30")
    with pytest.raises(SendRetryableError) as caught:
        await client.send_text(GUEST, "Hola")
    assert (caught.value.code, caught.value.retry_after) == (code, 30.0)
    _no_token(caught.value)


async def test_rate_limit_retry_after_as_a_date_or_absent(client: WhatsAppClient, double: GraphDouble) -> None:
    double.rate_limit(retry_after=format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True))
    with pytest.raises(SendRetryableError) as caught:
        await client.send_text(GUEST, "Hola")
    assert caught.value.retry_after is not None and 100 < caught.value.retry_after <= 120
    double.rate_limit()
    with pytest.raises(SendRetryableError) as caught:
        await client.send_text(GUEST, "Hola")
    assert (caught.value.code, caught.value.retry_after) == (130429, None)


async def test_expired_token_is_token_expired(client: WhatsAppClient, double: GraphDouble) -> None:
    double.token_expired = True
    with pytest.raises(TokenExpiredError) as caught:
        await client.send_text(GUEST, "Hola")
    assert caught.value.code == 190
    _no_token(caught.value)
    with pytest.raises(TokenExpiredError):
        await client.mark_read("wamid.X")


async def test_wrong_token_is_token_expired() -> None:
    double = GraphDouble()
    async with WhatsAppClient(
        API_BASE, PHONE_NUMBER_ID, "EAAG-some-other-token", transport=httpx.ASGITransport(app=double)
    ) as client:
        with pytest.raises(TokenExpiredError) as caught:
            await client.send_text(GUEST, "Hola")
    assert "EAAG-some-other-token" not in str(caught.value)


async def test_outside_the_window_text_is_window_closed_but_a_template_goes(
    client: WhatsAppClient, double: GraphDouble
) -> None:
    double.outside_window.add(GUEST)
    with pytest.raises(WindowClosedError) as caught:
        await client.send_text(GUEST, "Hola")
    assert caught.value.code == 131047
    assert "24 hours" in str(caught.value)
    assert GUEST not in str(caught.value)
    assert await client.send_template(GUEST, "reengage", "es") == "wamid.DOUBLE000001"


async def test_undeliverable(client: WhatsAppClient, double: GraphDouble) -> None:
    double.undeliverable.add(GUEST)
    with pytest.raises(UndeliverableError) as caught:
        await client.send_text(GUEST, "Hola")
    assert caught.value.code == 131026


async def test_other_client_errors_are_permanent_with_code(client: WhatsAppClient) -> None:
    with pytest.raises(SendPermanentError) as caught:
        await client.send_template(GUEST, "", "es")
    assert type(caught.value) is SendPermanentError
    assert caught.value.code == 100
    assert "template.name" in str(caught.value)


async def test_timeouts_are_retryable_and_may_have_sent(double: GraphDouble) -> None:
    double.delay = 1.0
    async with WhatsAppClient(
        API_BASE, PHONE_NUMBER_ID, TOKEN, timeout=0.05, transport=httpx.ASGITransport(app=double)
    ) as client:
        with pytest.raises(SendRetryableError) as caught:
            await client.send_text(GUEST, "Hola")
    assert caught.value.maybe_sent is True
    assert "0.05s" in str(caught.value)
    _no_token(caught.value)


async def test_network_errors_are_retryable_and_never_leak_httpx_or_the_token() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused while sending {request.headers['authorization']}")

    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError(f"dropped {request.headers['authorization']}")

    for handler, maybe_sent in ((refuse, False), (drop, True)):
        async with WhatsAppClient(API_BASE, PHONE_NUMBER_ID, TOKEN, transport=httpx.MockTransport(handler)) as client:
            with pytest.raises(SendRetryableError) as caught:
                await client.send_text(GUEST, "Hola")
        assert caught.value.maybe_sent is maybe_sent
        assert isinstance(caught.value.__cause__, httpx.HTTPError)
        _no_token(caught.value)


@pytest.mark.parametrize(
    ("status", "content"),
    [(200, b"not json"), (200, b"{}"), (200, b'{"messages": []}'), (200, b'{"messages": [{"id": ""}]}')],
)
async def test_a_success_without_a_wamid_is_permanent(status: int, content: bytes) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=content))
    async with WhatsAppClient(API_BASE, PHONE_NUMBER_ID, TOKEN, transport=transport) as client:
        with pytest.raises(SendPermanentError, match="no message id"):
            await client.send_text(GUEST, "Hola")


@pytest.mark.parametrize(
    ("status", "content", "expected", "code"),
    [
        (502, b"<html>Bad gateway</html>", SendRetryableError, None),
        (429, b"", SendRetryableError, None),
        (401, b"", TokenExpiredError, None),
        (403, b'{"error": {"message": "no permission", "code": "10"}}', SendPermanentError, 10),
        (400, b'{"error": "weird"}', SendPermanentError, None),
    ],
)
async def test_unusual_error_answers(status: int, content: bytes, expected: type[SendError], code: int | None) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=content))
    async with WhatsAppClient(API_BASE, PHONE_NUMBER_ID, TOKEN, transport=transport) as client:
        with pytest.raises(expected) as caught:
            await client.send_text(GUEST, "Hola")
    assert type(caught.value) is expected
    assert caught.value.code == code


async def test_a_token_echoed_by_meta_is_redacted() -> None:
    echo = f'{{"error": {{"message": "Invalid token {TOKEN}", "code": 100}}}}'.encode()
    transport = httpx.MockTransport(lambda request: httpx.Response(400, content=echo))
    async with WhatsAppClient(API_BASE, PHONE_NUMBER_ID, TOKEN, transport=transport) as client:
        with pytest.raises(SendPermanentError) as caught:
            await client.send_text(GUEST, "Hola")
    assert "Invalid token ***" in str(caught.value)
    _no_token(caught.value)


async def test_send_text_refuses_blank_and_over_long_bodies_without_sending(
    client: WhatsAppClient, double: GraphDouble
) -> None:
    with pytest.raises(SendPermanentError, match="blank"):
        await client.send_text(GUEST, " \n")
    with pytest.raises(SendPermanentError, match="split_text"):
        await client.send_text(GUEST, "x" * 4097)
    assert double.requests == []
    assert await client.send_text(GUEST, "x" * 4096) == "wamid.DOUBLE000001"


async def test_client_repr_hides_the_token(client: WhatsAppClient) -> None:
    assert TOKEN not in repr(client)
    assert repr(client) == f"WhatsAppClient(api_base={API_BASE!r}, phone_number_id={PHONE_NUMBER_ID!r})"


@pytest.mark.parametrize(
    ("api_base", "phone", "token"),
    [("graph.facebook.com/v21.0", "1", "t"), ("ftp://graph.test", "1", "t"), (API_BASE, "", "t"), (API_BASE, "1", "")],
)
def test_unusable_settings_fail_at_construction(api_base: str, phone: str, token: str) -> None:
    with pytest.raises(ConfigurationError):
        WhatsAppClient(api_base, phone, token)


async def test_requests_go_to_the_versioned_phone_number_path() -> None:
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"messages": [{"id": "wamid.1"}]})

    async with WhatsAppClient(
        "https://graph.facebook.com/v21.0/", "555", TOKEN, transport=httpx.MockTransport(record)
    ) as client:
        await client.send_text(GUEST, "Hola")
    assert seen == ["https://graph.facebook.com/v21.0/555/messages"]
