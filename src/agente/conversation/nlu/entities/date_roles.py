"""Whether a date was said as the arrival or the departure, read from the words around it.

"del 12" / "from the 3rd" / "llegada el 5" / "arriving on the 20th"  -> "in"
"hasta el 15" / "until Sunday" / "salida el 8" / "nos vamos el 21"   -> "out"
"al 15" / "to the 5th" / "- 15/12"                                  -> "out" after another date
"el 14 y 15" / "the 3rd and 4th"                                    -> "and" (a range, or two nights)
"el 15 salimos"                                                     -> "out"
"no, perdón, el 13"                                                 -> "fix" (corrects the last one)
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["Role", "role_around"]

Role = Literal["in", "out", "and", "fix"]

_WORDS = re.compile(r"[a-z']+|[-–]")
_FILLERS = frozenset("el la los las the dia dias day days on de of for para este esta this next proximo coming".split())
_ARRIVAL_CONNECTORS = frozenset(
    "del from desde since starting partir entre between llegada checkin arrival entrada ingreso".split()
)
_DEPARTURE_CONNECTORS = frozenset("hasta until till til thru through salida checkout departure".split())
# "al", "to" and "-" join the second date of a range; alone ("cambiar la reserva al 14") they
# say nothing about the role.
_RANGE_CONNECTORS = frozenset("al to a y and - –".split())
_ARRIVAL_VERBS = frozenset(
    """
    llego llegamos llegare llegaremos llegaria llegariamos llegar llegando llegada llegan entro entramos entrar
    entrando entrada ingreso ingresamos arrive arrives arriving arrival arrived come coming get getting checkin
    starting start empezando empezar comenzando vengo venimos
    """.split()
)
_DEPARTURE_VERBS = frozenset(
    """
    salgo salimos saldre saldremos saldria saldriamos salir saliendo salida leave leaves leaving depart departing
    departure checkout irnos irme marcho marchamos regreso regresamos volvemos return returning
    """.split()
)
_DEPARTURE_PAIRS = frozenset(
    {("me", "voy"), ("nos", "vamos"), ("nos", "iremos"), ("me", "ire"), ("me", "iria"), ("nos", "iriamos")}
)
_CORRECTIONS = frozenset("mejor perdon digo sorry mean actually rather instead vez lugar realidad corrijo oops".split())


def _verb_role(words: list[str]) -> Role | None:
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if word in _ARRIVAL_VERBS:
            return "in"
        if word in _DEPARTURE_VERBS or (index and (words[index - 1], word) in _DEPARTURE_PAIRS):
            return "out"
    return None


def role_around(before: str, after: str, has_previous: bool) -> Role | None:
    """The role of a date from the normalised text ``before`` it and ``after`` it (each up to the
    neighbouring date); ``has_previous`` tells whether a date was already said.

    A connector right before the date ("del", "hasta", "al"), skipping articles, decides first;
    then a verb a few words back ("llegamos ... el 18", "leave on Tuesday"); then a verb right
    after it ("el 15 salimos"); then a correction word.
    """
    words = _WORDS.findall(before)
    trimmed = list(words)
    while trimmed and trimmed[-1] in _FILLERS:
        trimmed.pop()
    last = trimmed[-1] if trimmed else None
    if last in _ARRIVAL_CONNECTORS:
        return "in"
    if last in _DEPARTURE_CONNECTORS:
        return "out"
    if last in _RANGE_CONNECTORS and has_previous:
        return "and" if last in ("y", "and") else "out"
    role = _verb_role(trimmed[-6:])
    if role is None:
        # Only the very next word: in "el 12 y me voy el 15" the verb belongs to the 15.
        following = _WORDS.findall(after)[:2]
        role = _verb_role(following) if following[:1] in (["me"], ["nos"]) else _verb_role(following[:1])
    if role is None and has_previous and _CORRECTIONS.intersection(words):
        return "fix"
    return role
