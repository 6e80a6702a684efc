"""How many nights a message asks for: "3 noches", "for two nights", "una semana", "a fortnight".

Days are not nights: "3 días" is left unread, because guests use it both for the nights
and for the days on site, and a wrong stay is worse than a question.
"""

from __future__ import annotations

import re

from agente.conversation.nlu.entities.noise import MARK

__all__ = ["take_nights"]

_ARTICLES = frozenset({"un", "una", "a", "an"})

_NIGHTS = re.compile(r"(?<![\d/.])\b(?P<n>\d{1,3}|una|un|a|an)[\s\-]+(?:noches?|nights?)\b")
_WEEKS = re.compile(r"(?<![\d/.])\b(?P<n>\d{1,2}|una|un|a|an)\s+(?:semanas?|weeks?)\b")
_FORTNIGHT = re.compile(r"\b(?:una\s+quincena|a\s+fortnight|fortnight)\b")
# "in 2 weeks" / "dentro de una semana" say when, not how long; "$100 a night" says a price.
_NOT_A_STAY_BEFORE = re.compile(rf"(?:\b(?:in|en|dentro\s+de|within|per|cada|each)|{MARK}|\d)\s*$")


def take_nights(text: str) -> tuple[int | None, str]:
    """The nights asked for in normalised ``text`` (the last said wins) and ``text`` without them.

    An article counts as one only when nothing before it makes it a price or a date
    ("a night" in "$100 a night" or "dentro de una semana" is not a stay).
    """
    found: list[tuple[int, int, int]] = []
    for pattern, unit in ((_NIGHTS, 1), (_WEEKS, 7)):
        for match in pattern.finditer(text):
            word = match.group("n")
            before = text[: match.start()]
            if _NOT_A_STAY_BEFORE.search(before) and (word in _ARTICLES or unit == 7):
                continue
            count = 1 if word in _ARTICLES else int(word)
            if 1 <= count * unit <= 365:
                found.append((match.start(), match.end(), count * unit))
    for match in _FORTNIGHT.finditer(text):
        found.append((match.start(), match.end(), 14))
    if not found:
        return None, text
    found.sort()
    for start, end, _ in reversed(found):
        text = text[:start] + MARK + text[end:]
    return found[-1][2], text
