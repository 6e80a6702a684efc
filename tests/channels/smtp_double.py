"""A real SMTP server in the test process (aiosmtpd), recording what it accepts.

Replies can be scripted: ``fail_next("451 4.7.1 Try again later", at="rcpt")`` answers the
next RCPT TO with that line instead of accepting; ``at="data"`` answers the end of the
message. ``credentials`` makes the server offer AUTH and accept only that user and password
(over plain TCP: tests have no certificates).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import free_port

# aiosmtpd logs every connection at INFO; the tests assert on what the server received instead.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    login: str | None


class RecordingHandler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.replies: dict[str, deque[str]] = {"rcpt": deque(), "data": deque()}
        self.attempts = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        self.attempts += 1
        if self.replies["rcpt"]:
            return self.replies["rcpt"].popleft()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.replies["data"]:
            return self.replies["data"].popleft()
        # SMTP carries CRLF line ends; the message is read back as a mail client shows it.
        content = envelope.content.replace(b"\r\n", b"\n")
        message = BytesParser(policy=default).parsebytes(content)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, login))
        return "250 2.0.0 Accepted"


class SmtpServer:
    def __init__(self, handler: RecordingHandler, port: int) -> None:
        self.handler = handler
        self.host = "127.0.0.1"
        self.port = port

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def fail_next(self, reply: str, *, times: int = 1, at: str = "rcpt") -> None:
        self.handler.replies[at].extend([reply] * times)


@contextmanager
def smtp_server(credentials: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    port = free_port()
    options: dict[str, Any] = {}
    if credentials is not None:

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == credentials
            return AuthResult(success=ok, handled=False, auth_data=data)

        options = {"authenticator": authenticate, "auth_require_tls": False}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer(handler, port)
    finally:
        controller.stop()
