"""A WhatsApp webhook delivery as typed values: the messages guests sent and the receipts of
the messages we sent.

:func:`parse_delivery` reads every message and status of every change of every entry, in
order, from the raw body (after :func:`~agente.channels.whatsapp.signature.verify_signature`).
Changes whose ``field`` is not ``messages`` (template reviews, account updates) are skipped.
A body that is not JSON, or lacks what identifies a message or a receipt, raises
:class:`~agente.channels.errors.PayloadError`; optional parts (contacts, profile, a
location's name) may be missing. A message whose type the agent cannot read, or whose
content is missing, is kept with ``supported=False`` so the conversation can answer politely.

What is stored comes out storable (:mod:`agente.channels.storable`), because a delivery that
could not be stored would fail its job on every attempt while Meta, having had its 200, never
sends it again: characters no text column can hold (U+0000, unpaired surrogates) are removed
from texts, titles, names and the message type; a ``wamid`` too long for its column (or
holding such a character) becomes its digest, which still recognises a redelivery. A
message whose sender cannot be a WhatsApp id (over :data:`MAX_WA_ID_LENGTH`, or unstorable)
is left out and counted in :attr:`Delivery.dropped`: the ``wa_id`` is the address replies go
to, so no digest can stand in for it.

Receipts arrive out of order. :func:`should_update` keeps a stored status from moving
backwards, by :func:`status_rank`::

    sent (1)  <  failed (2)  <  delivered (3)  <  read (4)

``failed`` overrides ``sent`` (the message left us but never reached the phone) and nothing
else: a message the phone has acknowledged did not fail, so a late ``failed`` for it is
stale. A repeated status, and a status this module does not know, change nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from agente.channels.errors import PayloadError
from agente.channels.storable import is_storable, message_key, storable_text

__all__ = [
    "MAX_WA_ID_LENGTH",
    "SUPPORTED_KINDS",
    "Delivery",
    "InboundMessage",
    "StatusUpdate",
    "parse_delivery",
    "should_update",
    "status_rank",
]

SUPPORTED_KINDS = frozenset({"text", "interactive", "button", "location"})
_STATUS_RANK = {"sent": 1, "failed": 2, "delivered": 3, "read": 4}
_OBJECT = "whatsapp_business_account"
# A wa_id is the guest's phone number in international form (E.164: at most 15 digits). The
# margin is for any other form of user id Meta may send; the bound keeps every column and key
# built from it in range: guests.external_id (128), the delivery job's dedup key (200 = 83 + it).
MAX_WA_ID_LENGTH = 64

Json = dict[str, Any]


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message a guest sent.

    ``kind`` is WhatsApp's ``type`` as sent (``text``, ``interactive``, ``image``...).
    ``text`` is what the agent reads: the text body, the title of the chosen reply button or
    list row, a template button's text, or a location as ``"📍 lat,lon name address"``;
    ``None`` when unsupported. ``payload_id`` is the id of the chosen button or row (a
    template button's payload). ``supported`` is false for every kind the agent cannot read.
    ``wamid`` is the id as stored (:func:`~agente.channels.storable.message_key`).
    """

    wamid: str
    from_wa_id: str
    phone_number_id: str
    profile_name: str | None
    timestamp: datetime
    kind: str
    text: str | None
    payload_id: str | None
    supported: bool


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A receipt for a message we sent: ``status`` is ``sent``, ``delivered``, ``read`` or
    ``failed`` (with the first error's ``error_code`` and ``error_title``); ``wamid`` is the
    id as stored (:func:`~agente.channels.storable.message_key`)."""

    wamid: str
    status: str
    timestamp: datetime
    recipient_id: str
    error_code: int | None
    error_title: str | None


@dataclass(frozen=True, slots=True)
class Delivery:
    """Everything one webhook call carried, in the order it came; ``dropped`` counts the
    messages left out because their sender cannot be a WhatsApp id."""

    messages: tuple[InboundMessage, ...]
    statuses: tuple[StatusUpdate, ...]
    dropped: int = 0


def parse_delivery(raw: bytes) -> Delivery:
    """The messages and receipts in ``raw``, a webhook body as received.

    Raises :class:`PayloadError` for a body that is not UTF-8 JSON or not in the shape of the
    facts sheet ("Event delivery").
    """
    try:
        body: object = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise PayloadError("the webhook body is not JSON") from exc
    if not isinstance(body, dict):
        raise PayloadError("the webhook body is not a JSON object")
    if body.get("object", _OBJECT) != _OBJECT:
        raise PayloadError(f"the webhook body is for {body.get('object')!r}, not {_OBJECT!r}")
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    dropped = 0
    for entry in _list(body, "entry", "body"):
        for change in _list(_object(entry, "entry"), "changes", "entry"):
            change = _object(change, "change")
            if change.get("field") != "messages":
                continue
            value = _object(change.get("value"), "change value")
            metadata = _object(value.get("metadata"), "value.metadata")
            phone_number_id = _string(metadata, "phone_number_id", "value.metadata")
            names = _profile_names(value)
            for message in _list(value, "messages", "value", required=False):
                parsed = _message(_object(message, "message"), phone_number_id, names)
                if parsed is None:
                    dropped += 1
                else:
                    messages.append(parsed)
            for status in _list(value, "statuses", "value", required=False):
                statuses.append(_status(_object(status, "status")))
    return Delivery(messages=tuple(messages), statuses=tuple(statuses), dropped=dropped)


def status_rank(status: str) -> int:
    """The place of ``status`` in the order receipts may advance through; 0 if unknown."""
    return _STATUS_RANK.get(status, 0)


def should_update(current: str | None, new: str) -> bool:
    """Whether a stored status ``current`` (``None``: none yet) should become ``new``."""
    rank = status_rank(new)
    if rank == 0:
        return False
    return current is None or rank > status_rank(current)


def _message(message: Json, phone_number_id: str, names: dict[str, str]) -> InboundMessage | None:
    """The message; ``None`` when its sender cannot be a WhatsApp id."""
    sender = _string(message, "from", "message")
    if len(sender) > MAX_WA_ID_LENGTH or not is_storable(sender):
        return None
    kind = storable_text(_string(message, "type", "message"))
    text, payload_id = _content(message, kind) if kind in SUPPORTED_KINDS else (None, None)
    # A single contact is the sender even when WhatsApp normalised the number differently in
    # ``from`` and ``wa_id`` (it does for some countries' mobile prefixes).
    profile_name = names.get(sender) or (next(iter(names.values())) if len(names) == 1 else None)
    return InboundMessage(
        wamid=message_key(_string(message, "id", "message")),
        from_wa_id=sender,
        phone_number_id=phone_number_id,
        profile_name=profile_name,
        timestamp=_timestamp(message),
        kind=kind,
        text=text,
        payload_id=payload_id,
        supported=text is not None,
    )


def _content(message: Json, kind: str) -> tuple[str | None, str | None]:
    """``(text, payload_id)`` of a supported kind; ``(None, None)`` when its content is missing."""
    part = message.get(kind)
    if not isinstance(part, dict):
        return None, None
    if kind == "text":
        return _optional(part, "body"), None
    if kind == "button":
        return _optional(part, "text"), _optional(part, "payload")
    if kind == "interactive":
        chosen = part.get("type")
        # Checked before it is used as a key: a list or an object there is not hashable.
        reply = part.get(chosen) if chosen in ("button_reply", "list_reply") else None
        if not isinstance(reply, dict):
            return None, None
        return _optional(reply, "title"), _optional(reply, "id")
    return _location(part), None


def _location(part: Json) -> str | None:
    latitude, longitude = part.get("latitude"), part.get("longitude")
    if not _is_number(latitude) or not _is_number(longitude):
        return None
    try:
        point = f"📍 {float(latitude)},{float(longitude)}"
    except OverflowError:  # an integer too large for a float is no coordinate
        return None
    words = [point]
    words += [word for key in ("name", "address") if (word := _optional(part, key))]
    return " ".join(words)


def _status(status: Json) -> StatusUpdate:
    errors = status.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    code = first.get("code")
    return StatusUpdate(
        wamid=message_key(_string(status, "id", "status")),
        status=_string(status, "status", "status"),
        timestamp=_timestamp(status),
        recipient_id=_string(status, "recipient_id", "status"),
        error_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        error_title=_optional(first, "title") or _optional(first, "message"),
    )


def _profile_names(value: Json) -> dict[str, str]:
    names: dict[str, str] = {}
    for contact in _list(value, "contacts", "value", required=False):
        if not isinstance(contact, dict):
            continue
        profile = contact.get("profile")
        wa_id = _optional(contact, "wa_id")
        name = _optional(profile, "name") if isinstance(profile, dict) else None
        if wa_id and name:
            names[wa_id] = name
    return names


def _timestamp(item: Json) -> datetime:
    raw = item.get("timestamp")
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        raise PayloadError(f"timestamp {raw!r} is not a Unix time")
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise PayloadError(f"timestamp {raw!r} is not a Unix time") from exc


def _object(item: object, what: str) -> Json:
    if not isinstance(item, dict):
        raise PayloadError(f"{what} is not a JSON object")
    return item


def _list(item: Json, key: str, what: str, *, required: bool = True) -> list[object]:
    found = item.get(key)
    if found is None and not required:
        return []
    if not isinstance(found, list):
        raise PayloadError(f"{what}.{key} is not a list")
    return found


def _string(item: Json, key: str, what: str) -> str:
    found = item.get(key)
    if not isinstance(found, str) or not found:
        raise PayloadError(f"{what}.{key} is missing or not a string")
    return found


def _optional(item: Json, key: str) -> str | None:
    """The text at ``key``, storable; ``None`` when absent, not a string or empty."""
    found = item.get(key)
    return (storable_text(found) or None) if isinstance(found, str) else None


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
