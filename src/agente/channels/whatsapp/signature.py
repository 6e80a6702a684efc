"""Authenticity of WhatsApp webhook calls: the POST signature and the GET handshake.

Meta signs each delivery with ``X-Hub-Signature-256: sha256=<hex>``, the HMAC-SHA256 of the
raw request bytes under the app secret. It must be checked on the bytes as received, before
any JSON parsing: re-serialising the JSON (escaping emoji and accents, reordering, spacing)
changes the bytes and so the digest. Comparisons are constant-time, and an empty configured
secret or verify token never authenticates anything, so a missing setting fails closed.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from agente.channels.errors import SignatureError

__all__ = ["PREFIX", "sign", "verify_challenge", "verify_signature"]

PREFIX = "sha256="
_HEX_DIGEST_LENGTH = hashlib.sha256().digest_size * 2
# The challenge is echoed back verbatim; Meta sends a short token of digits, so anything
# else (markup, control characters, a megabyte) is refused rather than reflected.
_CHALLENGE = re.compile(r"[A-Za-z0-9_.\-]{1,256}")


def sign(raw: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header value Meta would send for ``raw`` under ``app_secret``."""
    digest = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify_signature(raw: bytes, header: str | None, app_secret: str) -> None:
    """Return if ``header`` is the HMAC-SHA256 of ``raw`` under ``app_secret``.

    Raises :class:`SignatureError` when no secret is configured, the header is missing, does
    not start with ``sha256=``, does not hold a 64-digit hex digest, or does not match.
    """
    if not app_secret:
        raise SignatureError("no app secret is configured: webhook calls cannot be verified")
    if header is None or not header.strip():
        raise SignatureError("the X-Hub-Signature-256 header is missing")
    value = header.strip()
    if not value.startswith(PREFIX):
        raise SignatureError(f"the X-Hub-Signature-256 header does not start with {PREFIX!r}")
    hex_digest = value[len(PREFIX) :]
    if len(hex_digest) != _HEX_DIGEST_LENGTH:
        raise SignatureError("the X-Hub-Signature-256 header does not hold a SHA-256 digest")
    try:
        received = bytes.fromhex(hex_digest)
    except ValueError as exc:
        raise SignatureError("the X-Hub-Signature-256 header is not hexadecimal") from exc
    expected = hmac.new(app_secret.encode(), raw, hashlib.sha256).digest()
    if not hmac.compare_digest(received, expected):
        raise SignatureError("the X-Hub-Signature-256 header does not match the body")


def verify_challenge(mode: str | None, token: str | None, challenge: str | None, verify_token: str) -> str | None:
    """The challenge to answer with 200 (as plain text), or ``None`` to answer 403.

    Takes the ``hub.mode``, ``hub.verify_token`` and ``hub.challenge`` query parameters and
    the configured ``WHATSAPP_VERIFY_TOKEN``. Succeeds only for mode ``subscribe``, a token
    equal to a non-empty ``verify_token`` (compared in constant time), and a challenge of at
    most 256 letters, digits, ``_``, ``.`` or ``-``.
    """
    if not verify_token or mode != "subscribe" or token is None or challenge is None:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    if _CHALLENGE.fullmatch(challenge) is None:
        return None
    return challenge
