"""Cutting a reply into WhatsApp text messages.

WhatsApp refuses a text body over 4096 characters. The client does not cut: a send is one
message with one wamid, and a reply cut inside the client could be half-sent when a later
part fails, with no way to retry only the rest. Callers (the outbox) call :func:`split_text`
and queue each part as its own message;
:meth:`~agente.channels.whatsapp.client.WhatsAppClient.send_text` refuses a longer body.

Length is counted in UTF-16 code units, which is at least the number of characters, so a
part within the limit stays within it however WhatsApp counts (an emoji counts two).
"""

from __future__ import annotations

import re

__all__ = ["TEXT_LIMIT", "split_text", "text_size"]

TEXT_LIMIT = 4096
# A sentence ends at . ! ? … or 。, perhaps followed by closing quotes or brackets, then space.
_SENTENCE_END = re.compile(r"[.!?…。][\"'»”’)\]]*(?=\s)")


def text_size(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, the measure :data:`TEXT_LIMIT` applies to."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def split_text(body: str, limit: int = TEXT_LIMIT) -> list[str]:
    """``body`` as consecutive parts of at most ``limit`` (by :func:`text_size`), in order.

    Cuts at the last paragraph break in a part's second half, else the last line break
    there, else the last sentence end there, else the last space, else wherever the limit
    falls. Parts are stripped of surrounding whitespace; a blank body gives ``[]``. Raises
    ``ValueError`` for a ``limit`` below 1.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    parts: list[str] = []
    rest = body.strip()
    while rest:
        if text_size(rest) <= limit:
            parts.append(rest)
            break
        cut = _cut(rest[: _fitting(rest, limit)])
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts


def _fitting(text: str, limit: int) -> int:
    """How many leading characters of ``text`` fit in ``limit`` code units (at least one)."""
    size = 0
    for index, char in enumerate(text):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return max(index, 1)
    return len(text)


def _cut(window: str) -> int:
    half = len(window) // 2
    for separator in ("\n\n", "\n"):
        index = window.rfind(separator)
        if index >= half and index > 0:
            return index
    sentence_ends = [match.end() for match in _SENTENCE_END.finditer(window)]
    if sentence_ends and sentence_ends[-1] >= half:
        return sentence_ends[-1]
    space = max(window.rfind(" "), window.rfind("\t"))
    return space if space > 0 else len(window)
