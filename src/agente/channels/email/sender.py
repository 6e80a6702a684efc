"""Sending through SMTP (aiosmtplib), one connection per message.

Failures are translated here, so nothing from aiosmtplib gets past this module::

    4xx reply (451 greylisting, 452 mailbox full, 421 busy)   → SendRetryableError (code)
    connection refused, dropped, connect timeout              → SendRetryableError
    no answer after the message was handed over (timeout)     → SendRetryableError (maybe_sent)
    5xx reply (550 unknown user, 554 refused)                 → SendPermanentError (code)
    535 authentication failed                                 → SendPermanentError (code 535)
    the server lacks what the settings require (STARTTLS, AUTH) → SendPermanentError

A reply code is classified by its first digit (RFC 5321 §4.2.1). Messages carry the
server's code and text with addresses and secrets masked, never the recipient or password.
Connections are short-lived on purpose: replies are few, and servers drop idle sessions.
"""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from agente.channels.errors import SendError, SendPermanentError, SendRetryableError
from agente.errors import ConfigurationError
from agente.observability.redaction import redact_text

__all__ = ["SECURITY_MODES", "SmtpSender"]

SECURITY_MODES = ("starttls", "tls", "none")


class SmtpSender:
    """Sends messages through one SMTP server (``SMTP_HOST``/``SMTP_PORT``).

    ``security`` is ``starttls`` (upgrade required: a server without STARTTLS is refused),
    ``tls`` (implicit TLS, usually port 465) or ``none`` (a relay on the same host or
    network). ``timeout`` bounds each SMTP exchange. Raises ``ConfigurationError`` for an
    empty host or an unknown mode; :meth:`send` raises only
    :class:`~agente.channels.errors.SendError` subclasses.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        security: str = "starttls",
        timeout: float = 15.0,
    ) -> None:
        if not host:
            raise ConfigurationError("SMTP_HOST is empty")
        if security not in SECURITY_MODES:
            raise ConfigurationError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
        self.host = host
        self.port = port
        self.security = security
        self.timeout = timeout
        self._username = username
        self._password = password

    def __repr__(self) -> str:
        return f"SmtpSender(host={self.host!r}, port={self.port!r}, security={self.security!r})"

    async def send(self, message: EmailMessage) -> str:
        """Send ``message`` to the recipients of its ``To``; the server's acceptance text."""
        try:
            _refused, accepted = await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self._username,
                password=self._password,
                timeout=self.timeout,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0]
            raise self._refused(first.code, first.message, "refused the recipient") from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise self._refused(exc.code, exc.message, "refused the message") from exc
        except aiosmtplib.SMTPConnectTimeoutError as exc:
            raise SendRetryableError(f"send email: no connection to {self.host}:{self.port} in time") from exc
        except aiosmtplib.SMTPTimeoutError as exc:
            # The message may have been handed over before the answer was lost.
            raise SendRetryableError(f"send email: no answer from {self.host} in time", maybe_sent=True) from exc
        except (aiosmtplib.SMTPConnectError, OSError) as exc:  # refused, unreachable, TLS handshake
            raise SendRetryableError(
                f"send email: {self.host}:{self.port} could not be reached ({self._mask(str(exc))})"
            ) from exc
        except aiosmtplib.SMTPException as exc:
            # aiosmtplib reports a missing STARTTLS or AUTH extension as a bare SMTPException
            # naming it: the settings ask for what this server cannot do, so waiting is useless.
            if isinstance(exc, aiosmtplib.SMTPNotSupported) or "not supported" in exc.message:
                raise SendPermanentError(f"send email: {self._mask(exc.message)} (check SMTP_SECURITY)") from exc
            raise SendRetryableError(f"send email: {self.host}:{self.port} failed ({self._mask(exc.message)})") from exc
        return self._mask(accepted)

    def _refused(self, code: int, text: str, what: str) -> SendError:
        detail = f"send email: the server {what} ({code} {self._mask(text)})"
        if 400 <= code < 500:
            return SendRetryableError(detail, code=code)
        return SendPermanentError(detail, code=code)

    @staticmethod
    def _mask(text: str) -> str:
        # Servers quote addresses in their answers ("<ana@...>: unknown user"): personal data.
        return redact_text(" ".join(text.split()))
