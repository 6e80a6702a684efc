"""Which room of a quote a message chooses: by its number, an ordinal, or what it is.

    extract_room_choice("la 2", "es")                -> RoomChoice("number", 2)
    extract_room_choice("the third one", "en")       -> RoomChoice("number", 3)
    extract_room_choice("la más económica", "es")    -> RoomChoice("cheapest")
    extract_room_choice("the biggest one", "en")     -> RoomChoice("largest")
    extract_room_choice("the one for 4", "en")       -> RoomChoice("fits", 4)
    extract_room_choice("me quedo con la última", "es") -> RoomChoice("last")

The choice is read without the quote; :func:`agente.conversation.dialogue.booking.quoted_room`
finds the room it points at. A number counts only as the whole of a short answer ("la 2",
"option 2 please"), never next to what it would count ("2 adultos", "3 noches"), and an
attribute only with its article ("la barata", "the cheapest"), not in "¿no hay nada más
barato?", which asks for something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from agente.conversation.nlu.entities.calendar_words import MONTH_PATTERN
from agente.conversation.nlu.entities.text import fold, normalise

__all__ = ["ChoiceKind", "RoomChoice", "extract_room_choice"]

ChoiceKind = Literal["number", "last", "cheapest", "priciest", "largest", "smallest", "fits"]


@dataclass(frozen=True, slots=True)
class RoomChoice:
    kind: ChoiceKind
    # The position in the quote ("number") or the number of guests the room must take ("fits").
    value: int | None = None


_ART = r"(?:la|el|lo|the|that|esa|ese|this|esta|este)"
_ONE = r"(?:\s+(?:one|room|option|opcion|habitacion|hab|cuarto))?"

_ATTRIBUTE_PATTERNS: tuple[tuple[ChoiceKind, str], ...] = (
    (
        "cheapest",
        r"\b(?:cheapest|least\s+expensive|lowest[\s\-]+(?:price|priced|rate|cost))\b"
        rf"|\b{_ART}\s+(?:mas\s+)?(?:barat\w*|economic[oa]s?)\b"
        rf"|\b{_ART}\s+menos\s+(?:car[oa]|costos[oa])\b"
        rf"|\b{_ART}\s+(?:cheap|cheaper|affordable|budget|inexpensive){_ONE}\b"
        rf"|\b{_ART}\s+most\s+(?:affordable|economical)\b"
        rf"|\b{_ART}\s+(?:de\s+)?(?:menor|mas\s+bajo)\s+precio\b"
        rf"|\b{_ART}\s+que\s+(?:cuesta|vale|sale|es|esta)\s+(?:menos|mas\s+(?:barat\w*|economic[oa]))\b",
    ),
    (
        "priciest",
        r"\b(?:most\s+expensive|priciest|dearest|fanciest|poshest|most\s+luxurious)\b"
        rf"|\b{_ART}\s+mas\s+(?:car[oa]|costos[oa]|lujos[oa]|exclusiv[oa])\b"
        rf"|\b{_ART}\s+more\s+expensive{_ONE}\b"
        rf"|\b{_ART}\s+(?:expensive|pricey|pricy){_ONE}\b|\b(?:la|el)\s+car[oa]\b"
        rf"|\b{_ART}\s+(?:de\s+)?mayor\s+precio\b|\bhighest[\s\-]+(?:price|priced)\b"
        rf"|\b{_ART}\s+que\s+(?:cuesta|vale|sale)\s+mas\b(?!\s+(?:barat|economic))",
    ),
    (
        "largest",
        r"\b(?:biggest|largest|roomiest|most\s+spacious|most\s+space)\b"
        rf"|\b{_ART}\s+(?:big|large|bigger|larger|spacious){_ONE}\b"
        rf"|\b{_ART}\s+(?:mas\s+)?(?:grande|amplia|amplio|espacios[oa])s?\b"
        rf"|\b{_ART}\s+(?:de\s+)?(?:mas|mayor)\s+capacidad\b|\b(?:la|el)\s+mayor\b"
        rf"|\b{_ART}\s+que\s+(?:tiene\s+mas\s+(?:espacio|sitio|capacidad)|es\s+mas\s+grande|"
        r"caben\s+mas|cabe\s+mas\s+gente|entran\s+mas)\b"
        rf"|\b{_ART}\s+one\s+(?:with\s+(?:the\s+)?most\s+(?:space|room|beds|capacity)|"
        r"that\s+(?:fits|sleeps|takes|holds)\s+(?:the\s+)?most)\b",
    ),
    (
        "smallest",
        rf"\b(?:smallest|tiniest)\b|\b{_ART}\s+(?:small|smaller|little){_ONE}\b"
        rf"|\b{_ART}\s+(?:mas\s+)?(?:pequen[oa]|chic[oa])\b",
    ),
    (
        "last",
        rf"\b{_ART}\s+(?:ultim[oa]|last){_ONE}\b|\blast\s+one\b",
    ),
)
_ATTRIBUTES = tuple((kind, re.compile(pattern)) for kind, pattern in _ATTRIBUTE_PATTERNS)

_FITS = re.compile(
    r"\b(?:(?:the|that|this)\s+(?:one|room|option)|one|(?:la|el|esa|ese)(?:\s+(?:habitacion|hab|cuarto|opcion))?)\s+"
    r"(?:(?:that|which)\s+(?:fits|sleeps|takes|holds|is\s+for)|for|de|para|"
    r"que\s+(?:es\s+|sea\s+)?(?:para|de)|que\s+(?:caben|entran|admite|acepta)|"
    r"con\s+(?:capacidad|sitio|espacio)\s+(?:para|de)|with\s+(?:space|room|beds)\s+for)\s+"
    r"(?P<n>\d{1,2})(?:\s+(?:personas?|people|pax|guests?|adult\w*|huespedes|of\s+us))?\b"
    rf"(?!\s*(?:noches|nights?|camas|beds|º|/|de\s+(?:{MONTH_PATTERN})|of\s+(?:{MONTH_PATTERN})))"
)

_ORDINALS = {
    "primera": 1,
    "primero": 1,
    "first": 1,
    "segunda": 2,
    "segundo": 2,
    "second": 2,
    "tercera": 3,
    "tercero": 3,
    "third": 3,
    "cuarta": 4,
    "cuarto": 4,
    "fourth": 4,
    "quinta": 5,
    "quinto": 5,
    "fifth": 5,
}
_ORDINAL = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\b(?!\s+(?:de|of|night|noche|semana|week))")
# A lone digit in a short answer: "2", "la 2", "opción 2 porfa", "#3", "la 1º"; never one
# inside a word ("pparker2@gmail.com").
_NUMBER = re.compile(r"(?<![\w.])(\d)(?![\d:.,/@])(?:\s*[ºª])?")
_COUNTED = re.compile(
    rf"^\s*(?:personas?|people|pax|guests?|adult\w*|ninos?|kids?|child\w*|noches?|nights?|dias?|days?|"
    rf"habitaciones|rooms|semanas?|weeks?|de\s+(?:{MONTH_PATTERN})|of\s+(?:{MONTH_PATTERN})|"
    rf"(?:{MONTH_PATTERN})\b|am\b|pm\b|h\b|horas?|hours?|years?|anos?)"
)
_COUNT_BEFORE = re.compile(r"(?:\b(?:somos|seremos|we\s+are|we're|for|para|party\s+of)|[+x*])\s*$")
# "one" after a word that points at a room is that room, not the number 1 ("the cheap one",
# "the third one", "the one for 4"); after "number" or "option" it is the number.
_PRONOUN_ONE = re.compile(r"\b(?!(?:number|option|opcion|room|numero|no)\b)([a-z0-9]+)\s+one\b")
_MAX_WORDS = 8


def extract_room_choice(text: str, language: str) -> RoomChoice | None:
    """The room ``text`` chooses from a quote, or None when it chooses none."""
    s = normalise(_PRONOUN_ONE.sub(r"\1 room", fold(text)), language)
    if (fits := _FITS.search(s)) is not None:
        return RoomChoice("fits", int(fits.group("n")))
    for kind, pattern in _ATTRIBUTES:
        if pattern.search(s):
            return RoomChoice(kind)
    if len(s.split()) > _MAX_WORDS:
        return None
    numbers = [
        m for m in _NUMBER.finditer(s) if not _COUNTED.match(s[m.end() :]) and not _COUNT_BEFORE.search(s[: m.start()])
    ]
    if len(numbers) == 1 and len(re.findall(r"\d+", s)) == 1:
        return RoomChoice("number", int(numbers[0].group(1)))
    ordinal = _ORDINAL.search(s)
    if ordinal is not None:
        return RoomChoice("number", _ORDINALS[ordinal.group(1)])
    return None
