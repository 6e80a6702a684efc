"""What the database can store of the text and ids that guests and their channels send.

PostgreSQL's ``text`` and ``varchar``, and the strings inside ``jsonb``, cannot hold U+0000;
no UTF-8 column can hold an unpaired surrogate (U+D800–U+DFFF), which a JSON string can carry
as an escape (``"\\ud800"``) though no encoding can write it. A value with either fails its
write every time it is tried (asyncpg's ``CharacterNotInRepertoireError``, a
``UnicodeEncodeError``), so it must never get past the edge:

* the HTTP API and the email webhook refuse it (a 422 naming the field, :data:`StorableText`,
  :func:`check_storable`): the sender is told and can fix it;
* WhatsApp text is cleaned (:func:`storable_text`): Meta retries a refused delivery for days
  and cannot change what the guest typed, so those characters are removed and the rest kept.

SQLite would store U+0000, but the rule is the same on both backends: a test on the embedded
database then tells the truth about PostgreSQL.

Ids a channel gives a message (a WhatsApp ``wamid``, an email's Message-ID) are kept in
``messages.channel_message_id`` (128 characters) by :func:`message_key`: themselves when they
fit, else a digest that does, so a redelivery is still recognised.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, TypeVar

from pydantic import AfterValidator

__all__ = [
    "MESSAGE_KEY_LENGTH",
    "UNSTORABLE_MESSAGE",
    "StorableText",
    "check_storable",
    "check_storable_json",
    "is_storable",
    "message_key",
    "storable_text",
]

# The length of messages.channel_message_id.
MESSAGE_KEY_LENGTH = 128
UNSTORABLE_MESSAGE = "contains a character that cannot be stored (U+0000 or an unpaired surrogate)"
T = TypeVar("T")
# json.loads pairs a valid surrogate escape into one code point, so any surrogate left in a
# str is unpaired.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable(text: str) -> bool:
    """Whether every character of ``text`` can be written to a text column."""
    return _UNSTORABLE.search(text) is None


def storable_text(text: str) -> str:
    """``text`` without the characters a text column cannot hold; everything else as it came."""
    return _UNSTORABLE.sub("", text)


def check_storable(text: str) -> str:
    """``text`` itself; ``ValueError`` (which never quotes it) when it cannot be stored."""
    if not is_storable(text):
        raise ValueError(UNSTORABLE_MESSAGE)
    return text


StorableText = Annotated[str, AfterValidator(check_storable)]
"""A pydantic ``str`` refused (422) when it cannot be stored."""


def check_storable_json(document: T) -> T:
    """``document`` (decoded JSON) itself; ``ValueError`` when a key or string in it cannot be stored."""
    pending: list[object] = [document]
    while pending:  # a loop, not recursion: the document may be nested as deep as the decoder allows
        item = pending.pop()
        if isinstance(item, str):
            check_storable(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return document


def message_key(message_id: str) -> str:
    """The id stored for a channel's message id: itself, or ``sha256:<hex>`` of it when it is
    longer than :data:`MESSAGE_KEY_LENGTH` or holds a character that cannot be stored."""
    if len(message_id) <= MESSAGE_KEY_LENGTH and is_storable(message_id):
        return message_id
    return "sha256:" + hashlib.sha256(message_id.encode("utf-8", "surrogatepass")).hexdigest()
