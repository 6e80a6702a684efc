"""Outgoing emails: Message-IDs, reply subjects and the message itself.

A Message-ID is made once, when the send is queued, and travels in the job: a send that runs
again carries the same id, so a receiving server or mail client that sees it twice can tell
it is one message. Replies thread under the guest's email: ``In-Reply-To`` is its Message-ID
and ``References`` the chain ending with it (RFC 5322 §3.6.4). Every message says it was
written by a machine (``Auto-Submitted``, RFC 3834), so well-behaved auto-responders do not
answer it and start a loop.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

__all__ = ["compose", "new_message_id", "reply_subject", "sender_address"]

_REPLY_PREFIX = re.compile(r"^(re|aw|sv)\s*:", re.IGNORECASE)
_NO_SUBJECT = {"es": "Tu mensaje", "en": "Your message"}


def sender_address(sender: str) -> str:
    """The bare address of ``SMTP_FROM``, lower-case: ``"Hotel <Reservas@hotel.example>"`` → ``reservas@...``."""
    return parseaddr(sender)[1].strip().lower()


def new_message_id(sender: str) -> str:
    """A new globally unique Message-ID in the domain of ``sender`` (``SMTP_FROM``)."""
    domain = sender_address(sender).rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


def reply_subject(subject: str, language: str) -> str:
    """``Re: <subject>``; a subject that already starts with ``Re:`` is kept as it is."""
    subject = " ".join(subject.split()) or _NO_SUBJECT.get(language, _NO_SUBJECT["es"])
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}"


def compose(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    message_id: str,
    language: str,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    auto_submitted: str = "auto-replied",
    sent_at: datetime | None = None,
) -> EmailMessage:
    """A plain-text UTF-8 message from ``sender`` to ``to``, ready for SMTP.

    ``auto_submitted`` is ``auto-replied`` for answers to the guest and ``auto-generated``
    for messages nobody asked for by email (booking confirmations). Raises ``ValueError`` for
    a header value holding a line break.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at or datetime.now(UTC))
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    message["Auto-Submitted"] = auto_submitted
    message.set_content(text if text.endswith("\n") else text + "\n")
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = language
    return message
