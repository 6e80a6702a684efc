"""Month and weekday names (folded, Spanish and English) and the regex alternations for them."""

from __future__ import annotations

__all__ = [
    "FULL_MONTH_PATTERN",
    "MONTHS",
    "MONTH_PATTERN",
    "WEEKDAYS",
    "WEEKDAY_ABBREVIATIONS",
    "WEEKDAY_PATTERN",
    "WEEKDAY_SHORT_PATTERN",
    "weekday_number",
]

_MONTH_NAMES = (
    ("enero", "january", "ene", "jan"),
    ("febrero", "february", "feb"),
    ("marzo", "march", "mar"),
    ("abril", "april", "abr", "apr"),
    ("mayo", "may"),
    ("junio", "june", "jun"),
    ("julio", "july", "jul"),
    ("agosto", "august", "ago", "aug"),
    ("septiembre", "setiembre", "september", "sept", "sep", "set"),
    ("octubre", "october", "oct"),
    ("noviembre", "november", "nov"),
    ("diciembre", "december", "dic", "dec"),
)

MONTHS: dict[str, int] = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}

# Month names safe to read on their own ("en marzo", "in march"): no abbreviation, and not
# "may", which is mostly a verb.
_FULL_MONTHS = frozenset(name for names in _MONTH_NAMES for name in names if len(name) > 3 and name != "sept")

_WEEKDAY_NAMES = (
    ("lunes", "monday"),
    ("martes", "tuesday"),
    ("miercoles", "wednesday"),
    ("jueves", "thursday"),
    ("viernes", "friday"),
    ("sabado", "saturday"),
    ("domingo", "sunday"),
)

WEEKDAYS: dict[str, int] = {name: number for number, names in enumerate(_WEEKDAY_NAMES) for name in names}

# Short forms are read only after a determiner ("next fri", "el sab"): alone, "sun" and
# "sat" are ordinary English words.
WEEKDAY_ABBREVIATIONS: dict[str, int] = {
    "mon": 0,
    "lun": 0,
    "tue": 1,
    "tues": 1,
    "wed": 2,
    "mie": 2,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "jue": 3,
    "fri": 4,
    "vie": 4,
    "sat": 5,
    "sab": 5,
    "sun": 6,
    "dom": 6,
}


def weekday_number(name: str) -> int:
    """Monday 0 to Sunday 6, for a full or short weekday name known here."""
    return WEEKDAYS[name] if name in WEEKDAYS else WEEKDAY_ABBREVIATIONS[name]


def _alternation(words: dict[str, int]) -> str:
    return "(?:" + "|".join(sorted(words, key=len, reverse=True)) + ")"


MONTH_PATTERN = _alternation(MONTHS)
FULL_MONTH_PATTERN = _alternation({name: MONTHS[name] for name in _FULL_MONTHS})
WEEKDAY_PATTERN = _alternation(WEEKDAYS)
WEEKDAY_SHORT_PATTERN = _alternation(WEEKDAY_ABBREVIATIONS)
