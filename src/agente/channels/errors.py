"""Errors of the messaging channels.

::

    AgenteError
     └── ChannelError
          ├── SignatureError             a webhook call is not provably from the provider
          ├── PayloadError               a delivery is not JSON, or not in the documented shape
          └── SendError                  a message could not be sent
               ├── SendRetryableError    try again later (5xx, rate limit, network, timeout)
               └── SendPermanentError    retrying the same request cannot succeed
                    ├── TokenExpiredError    the access token is expired or revoked: alert
                    ├── WindowClosedError    24-hour window closed: only a template may go
                    └── UndeliverableError   the recipient cannot receive this message

Senders raise only these: httpx errors stop in the client. Messages never hold the access
token, and do not name the recipient (a phone number is personal data that logs redact).
"""

from __future__ import annotations

from agente.errors import AgenteError


class ChannelError(AgenteError):
    """Base of everything the channels raise."""


class SignatureError(ChannelError):
    """The webhook call's signature is missing, malformed or wrong; answer 401/403."""


class PayloadError(ChannelError):
    """The webhook body is not JSON or not in the provider's documented shape."""


class SendError(ChannelError):
    """A message could not be sent.

    ``code`` is the provider's error code when it gave one (``error.code`` in a Graph API
    answer), else ``None``.
    """

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, code={self.code!r})"


class SendRetryableError(SendError):
    """The send may succeed later: the provider is failing, busy, or could not be reached.

    ``retry_after`` is the wait in seconds the provider asked for (a ``Retry-After`` header),
    or ``None`` to let the caller's backoff decide. ``maybe_sent`` is true when the request
    may have reached the provider before the failure (a timeout or a dropped answer): the
    Graph API has no idempotency key, so retrying such a send can deliver the text twice.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        retry_after: float | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({str(self)!r}, code={self.code!r}, "
            f"retry_after={self.retry_after!r}, maybe_sent={self.maybe_sent!r})"
        )


class SendPermanentError(SendError):
    """The provider refused the request; sending it again unchanged will fail again."""


class TokenExpiredError(SendPermanentError):
    """The access token is expired or revoked (Graph code 190): nothing can be sent until an
    operator replaces it, so this deserves an alert rather than a retry."""


class WindowClosedError(SendPermanentError):
    """More than 24 hours since the guest last wrote (code 131047): only an approved template
    may be sent, or the conversation goes to staff."""


class UndeliverableError(SendPermanentError):
    """The message cannot be delivered to that recipient (code 131026), e.g. the number is not
    on WhatsApp or cannot accept the message."""
