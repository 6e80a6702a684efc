"""A received email as the webhook takes it: the documented JSON form, validated and normalised.

::

    {
      "message_id": "<CAB1234@mail.example.com>",        required; angle brackets optional
      "from": "Ana García <Ana.Garcia@example.com>",      required; one address
      "to": "reservas@hotel.example",                     required; an address or a list
      "subject": "Habitación en diciembre",               optional, default ""
      "text": "Hola, ¿tenéis sitio del 12 al 15?",       required; the plain-text part
      "in_reply_to": "<our-message-id@hotel.example>",    optional
      "references": "<a@x> <b@y>"                         optional; a string or a list
    }

Normalised: Message-IDs always in angle brackets; addresses lower-case, without display
name (the guest is their address); line breaks in the subject become spaces (a header is one
line). Unknown fields are ignored. Invalid input raises :class:`pydantic.ValidationError`,
whose messages never repeat the values (they are personal data). Addresses longer than 128
characters are refused: a guest's id on a channel is at most that long. So is any field
holding a character the database cannot store (U+0000, an unpaired surrogate; see
:mod:`agente.channels.storable`), display names included: the provider is told, instead of
the email being acknowledged and then failing to be stored. A Message-ID too long to be a
stored id is kept by digest (:func:`~agente.channels.storable.message_key`).
"""

from __future__ import annotations

import json
import re
from email.utils import getaddresses
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agente.channels.errors import PayloadError
from agente.channels.storable import UNSTORABLE_MESSAGE, is_storable, message_key

__all__ = [
    "MAX_ADDRESS_LENGTH",
    "InboundEmail",
    "normalise_address",
    "normalise_message_id",
    "read_json",
]

MAX_ADDRESS_LENGTH = 128
# References grow by one id per message of a thread; the oldest ones are dropped past this.
_MAX_REFERENCES = 20
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ADDRESS = re.compile(rf"[a-z0-9.!#$%&'*+/=?^_`{{|}}~-]+@{_LABEL}(?:\.{_LABEL})+")


def read_json(raw: bytes) -> object:
    """The JSON document in ``raw``; :class:`PayloadError` when it is not UTF-8 JSON."""
    try:
        document: object = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise PayloadError("the body is not JSON") from exc
    return document


def normalise_address(value: str) -> str | None:
    """``"Ana <Ana@Example.com>"`` → ``"ana@example.com"``; ``None`` unless exactly one valid address."""
    if "\n" in value or "\r" in value:
        return None
    found = _parse_addresses(value)
    if len(found) != 1:
        return None
    address = found[0][1].strip().lower()
    return address if _ADDRESS.fullmatch(address) else None


def _parse_addresses(value: str) -> list[tuple[str, str]]:
    """``(name, address)`` pairs in a header value; none when it cannot be parsed."""
    try:
        return getaddresses([value])
    except RecursionError:  # the standard parser recurses once per nested "(" comment
        return []


def normalise_message_id(value: str) -> str | None:
    """``"abc@host"`` or ``"<abc@host>"`` → ``"<abc@host>"``; ``None`` when it is not one Message-ID."""
    value = value.strip()
    if not value.startswith("<"):
        value = f"<{value}>"
    return value if _MESSAGE_ID.fullmatch(value) and len(value) <= 998 else None


class InboundEmail(BaseModel):
    """One email a guest sent, as posted to the webhook (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    message_id: str
    sender: str = Field(alias="from")
    to: list[str]
    subject: str = ""
    text: str
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)

    @field_validator("message_id")
    @classmethod
    def _message_id(cls, value: str) -> str:
        normalised = normalise_message_id(value)
        if normalised is None:
            raise ValueError("not a Message-ID")
        return normalised

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        address = normalise_address(value)
        if address is None:
            raise ValueError("not an email address")
        if len(address) > MAX_ADDRESS_LENGTH:
            raise ValueError(f"the address is longer than {MAX_ADDRESS_LENGTH} characters")
        return address

    @field_validator("to", mode="before")
    @classmethod
    def _to(cls, value: Any) -> list[str]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
            raise ValueError("must be an address or a list of addresses")
        addresses = [address for item in items for _name, address in _parse_addresses(item) if address]
        normalised = [normalise_address(address) for address in addresses]
        if not normalised or None in normalised:
            raise ValueError("not a list of email addresses")
        return [address for address in normalised if address is not None]

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        return " ".join(value.split())[:500]

    @field_validator("in_reply_to")
    @classmethod
    def _in_reply_to(cls, value: str | None) -> str | None:
        # A malformed In-Reply-To from some mail client must not cost the guest their message.
        return normalise_message_id(value) if value else None

    @field_validator("references", mode="before")
    @classmethod
    def _references(cls, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return _MESSAGE_ID.findall(value)
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return [found for item in value if (found := normalise_message_id(item)) is not None]
        raise ValueError("must be a string of Message-IDs or a list of them")

    # Defined last, so it runs before the other "before" validators: those normalise the
    # value (dropping a display name) and must not hide what was sent.
    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and not is_storable(item) for item in items):
            raise ValueError(UNSTORABLE_MESSAGE)
        return value

    @property
    def key(self) -> str:
        """This email's id as stored and deduplicated (:func:`message_key`)."""
        return message_key(self.message_id)

    @property
    def reply_references(self) -> list[str]:
        """The ``References`` of a reply to this email (RFC 5322 §3.6.4): its own references
        (or, lacking them, its ``In-Reply-To``) followed by its Message-ID, at most 20, newest kept."""
        chain = list(self.references) or ([self.in_reply_to] if self.in_reply_to else [])
        chain = [ref for ref in dict.fromkeys(chain) if ref != self.message_id] + [self.message_id]
        return chain[-_MAX_REFERENCES:]
