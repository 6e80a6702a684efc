"""Authenticity of email webhook calls.

The sender of the webhook signs each call with ``X-Email-Signature: sha256=<hex>``, the
HMAC-SHA256 of the raw request bytes under ``EMAIL_WEBHOOK_SECRET``::

    printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$EMAIL_WEBHOOK_SECRET"

It is checked on the bytes as received, before any JSON parsing (re-serialised JSON has other
bytes), with a constant-time comparison; an empty secret authenticates nothing.
"""

from __future__ import annotations

import hashlib
import hmac

from agente.channels.errors import SignatureError

__all__ = ["HEADER", "PREFIX", "sign", "verify_signature"]

HEADER = "X-Email-Signature"
PREFIX = "sha256="
_HEX_DIGEST_LENGTH = hashlib.sha256().digest_size * 2


def sign(raw: bytes, secret: str) -> str:
    """The :data:`HEADER` value for ``raw`` under ``secret``."""
    return PREFIX + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def verify_signature(raw: bytes, header: str | None, secret: str) -> None:
    """Return if ``header`` is the HMAC-SHA256 of ``raw`` under ``secret``.

    Raises :class:`SignatureError` when the secret is empty, or the header is missing, does
    not start with ``sha256=``, does not hold a 64-digit hex digest, or does not match.
    Messages never contain the secret or the expected digest.
    """
    if not secret:
        raise SignatureError("no webhook secret is configured: email deliveries cannot be verified")
    if header is None or not header.strip():
        raise SignatureError(f"the {HEADER} header is missing")
    value = header.strip()
    if not value.startswith(PREFIX):
        raise SignatureError(f"the {HEADER} header does not start with {PREFIX!r}")
    hex_digest = value[len(PREFIX) :]
    if len(hex_digest) != _HEX_DIGEST_LENGTH:
        raise SignatureError(f"the {HEADER} header does not hold a SHA-256 digest")
    try:
        received = bytes.fromhex(hex_digest)
    except ValueError as exc:
        raise SignatureError(f"the {HEADER} header is not hexadecimal") from exc
    expected = hmac.new(secret.encode(), raw, hashlib.sha256).digest()
    if not hmac.compare_digest(received, expected):
        raise SignatureError(f"the {HEADER} header does not match the body")
