"""Masking of numbers that are neither dates nor counts: times, prices, phones, references.

The date and count grammars read digits; before they run, every number that belongs to
something else is replaced by the marker ``§`` so that "a las 14:00", "1.250,00 €",
"612 345 678", "hab 204", "AH7C3P9Q" or "niños de 4 y 7 años" cannot become a day or a guest.
"""

from __future__ import annotations

import re

from agente.conversation.nlu.entities.contact import PHONE_CANDIDATE, phone_digits

__all__ = ["MARK", "mask_noise"]

MARK = "§"

_UNITS = (
    r"km|kms|kilometros|kilometers|metros|meters|m2|minutos|minutes|mins?|horas|hours|hrs|kg|kilos|"
    r"estrellas|stars|gb|mb|mbps|pulgadas|inches"
)
# Words a number counts in a stay request: a number before one of them is never a room number.
_COUNTED = (
    r"noches?|nights?|semanas?|weeks?|dias?|days?|adultos?|adults?|personas?|people|persons?|pax|"
    r"huespedes|guests?|ninos?|ninas?|kids?|children|childs?|bebes?|babies|baby|peques?"
)
_CURRENCY = r"€|\$|£|eur|euros?|usd|dolares|dollars?|bucks|pounds?|libras?|pesos?|mxn"

_SIMPLE: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern)
    for pattern in (
        # Anchored at a word start: unanchored, every position of a long "@"-less word rescans it.
        r"(?<!\S)\S+@\S+",
        r"\b(?:https?://|www\.)\S+",
        r"\bah[\s\-_.]?(?=[a-z0-9]{0,5}\d)[a-z0-9]{6}\b",
        r"\b\d{1,2}(?:[:.]\d{2})?\s*(?:-|–|a|to|y|and|till|until)\s*\d{1,2}(?:[:.]\d{2})?\s*"
        r"(?:am|pm|a\.m\.?|p\.m\.?|h|hs|hrs|horas)(?![a-z])",
        r"\b\d{1,2}(?:\s*(?:-|a|to|y)\s*\d{1,2})?\s+(?:de\s+la\s+(?:manana|tarde|noche)|del\s+mediodia|"
        r"in\s+the\s+(?:morning|afternoon|evening)|at\s+night)\b",
        r"\b\d{1,2}\s*[:h]\s*\d{2}(?:\s*(?:h|hs|hrs|horas|am|pm))?\b",
        r"\b\d{1,2}\s*(?:am|pm|a\.m\.?|p\.m\.?|hrs|hs|h|o'clock)(?![a-z])",
        r"\b(?:a\s+las|a\s+la|sobre\s+las|hacia\s+las|antes\s+de\s+las|despues\s+de\s+las|desde\s+las|"
        r"hasta\s+las|para\s+las|at|around|by)\s+\d{1,2}(?:[.]\d{2})?\b(?!\s*(?:º|[/.\-]\d))",
        r"(?:[€$£])\s*\d[\d.,]*",
        # Bounded repetitions here and below: unbounded, a long "1,1,1,..." costs quadratic time.
        rf"\b\d[\d.,]{{0,20}}\s*(?:{_CURRENCY})(?![a-z])",
        r"\b\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?\b",
        r"\b(?:[3-9]\d|\d{3,})[.,]\d{2}\b",
        r"\b\d+(?:[.,]\d+)?\s*%",
        # "room 204" is a room; "habitacion 2 adultos" / "room 2 nights" are the party and the stay.
        r"\b(?:habitacion|room|cuarto|rm|planta|piso|floor|puerta|door|numero|number|num|n[º°]|no\.|#)\s*:?\s*\d+\b"
        rf"(?!\s*(?:{_COUNTED})\b)",
        r"\b\d+(?:\s*(?:,|y|e|and|&|or|o)\s*\d+){0,10}\s*(?:anos|ano|years?|yrs?|yo|meses|months?)"
        r"(?:[\s\-]*old|\s+de\s+edad)?\b",
        r"\b\d+(?:[-\s]year[-\s]old)\b",
        rf"\b\d+(?:[.,]\d+)?\s*(?:{_UNITS})\b",
    )
)


def _phone_or_keep(match: re.Match[str]) -> str:
    return f" {MARK} " if phone_digits(match.group(0)) else match.group(0)


def mask_noise(text: str) -> str:
    """Replace non-date, non-count numbers in normalised ``text`` with ``§``."""
    for pattern in _SIMPLE:
        text = pattern.sub(f" {MARK} ", text)
    return PHONE_CANDIDATE.sub(_phone_or_keep, text)
