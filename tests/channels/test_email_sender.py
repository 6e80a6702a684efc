"""The SMTP sender against a real SMTP server (aiosmtpd) in the test process."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from agente.channels.email.compose import compose
from agente.channels.email.sender import SmtpSender
from agente.channels.errors import SendPermanentError, SendRetryableError
from agente.errors import ConfigurationError
from tests.channels.smtp_double import SmtpServer, smtp_server
from tests.conftest import free_port

MESSAGE = compose(
    sender="Hotel Demo <reservas@hotel.example>",
    to="ana@example.com",
    subject="Re: Parking",
    text="Sí, hay parking: 15 EUR por noche.",
    message_id="<m1@hotel.example>",
    language="es",
)


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server(credentials=("agente", "s3cret-pass")) as running:
        yield running


def _sender(server: SmtpServer, password: str = "s3cret-pass", **options: object) -> SmtpSender:
    return SmtpSender(server.host, server.port, username="agente", password=password, security="none", **options)  # type: ignore[arg-type]


async def test_a_message_is_delivered_after_logging_in(server: SmtpServer) -> None:
    await _sender(server).send(MESSAGE)
    (received,) = server.received
    assert received.login == "agente"
    assert received.mail_from == "reservas@hotel.example" and received.rcpt_tos == ["ana@example.com"]
    assert received.message["Message-ID"] == "<m1@hotel.example>"
    assert received.message.get_content() == "Sí, hay parking: 15 EUR por noche.\n"


@pytest.mark.parametrize("at", ["rcpt", "data"])
async def test_a_4xx_answer_is_worth_retrying(server: SmtpServer, at: str) -> None:
    server.fail_next("451 4.7.1 Greylisted, try again later", at=at)
    with pytest.raises(SendRetryableError, match="451") as caught:
        await _sender(server).send(MESSAGE)
    assert caught.value.code == 451 and not caught.value.maybe_sent
    assert server.received == []


async def test_a_5xx_answer_is_permanent_and_the_address_it_quotes_is_masked(server: SmtpServer) -> None:
    server.fail_next("550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown")
    with pytest.raises(SendPermanentError) as caught:
        await _sender(server).send(MESSAGE)
    assert caught.value.code == 550
    assert "ana@example.com" not in str(caught.value) and "User unknown" in str(caught.value)


async def test_wrong_credentials_are_permanent_and_the_password_is_never_shown(server: SmtpServer) -> None:
    with pytest.raises(SendPermanentError) as caught:
        await _sender(server, password="wrong-password").send(MESSAGE)
    assert caught.value.code == 535 and "wrong-password" not in str(caught.value)


async def test_starttls_required_but_not_offered_is_a_settings_problem(server: SmtpServer) -> None:
    sender = SmtpSender(server.host, server.port, security="starttls")
    with pytest.raises(SendPermanentError, match="STARTTLS.*SMTP_SECURITY"):
        await sender.send(MESSAGE)


async def test_a_refused_connection_is_worth_retrying_and_nothing_was_sent() -> None:
    sender = SmtpSender("127.0.0.1", free_port(), security="none", timeout=2)
    with pytest.raises(SendRetryableError, match="could not be reached") as caught:
        await sender.send(MESSAGE)
    assert not caught.value.maybe_sent


async def test_a_server_that_never_answers_times_out_and_is_retried() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        sender = SmtpSender("127.0.0.1", silent.getsockname()[1], security="none", timeout=0.3)
        with pytest.raises(SendRetryableError, match="in time"):
            await sender.send(MESSAGE)


def test_bad_settings_are_refused_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="SMTP_SECURITY"):
        SmtpSender("smtp.example.com", 587, security="ssl")
    with pytest.raises(ConfigurationError, match="SMTP_HOST"):
        SmtpSender("", 587)
    assert "s3cret" not in repr(SmtpSender("smtp.example.com", 587, username="u", password="s3cret"))
