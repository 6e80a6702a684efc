"""Number words to digits, Spanish and English, 1 to 31: enough for nights, people and days.

Articles ("un", "una", "a", "an") are left alone because they are not always a count
("una doble" is a room type); the grammars that want them read them as 1 themselves.
"""

from __future__ import annotations

import re

__all__ = ["words_to_digits"]

_UNITS_ES = ("uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve")
_UNITS_EN = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

_CARDINALS: dict[str, int] = {
    **{word: value for value, word in enumerate(_UNITS_ES, start=1)},
    **{word: value for value, word in enumerate(_UNITS_EN, start=1)},
    "diez": 10,
    "doce": 12,
    "trece": 13,
    "catorce": 14,
    "quince": 15,
    "dieciseis": 16,
    "diecisiete": 17,
    "dieciocho": 18,
    "diecinueve": 19,
    "veinte": 20,
    "veintiun": 21,
    "veintiuno": 21,
    "veintiuna": 21,
    "veintidos": 22,
    "veintitres": 23,
    "veinticuatro": 24,
    "veinticinco": 25,
    "veintiseis": 26,
    "veintisiete": 27,
    "veintiocho": 28,
    "veintinueve": 29,
    "treinta": 30,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
}

_ORDINALS_EN: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}

_MONTHS_EN = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()

_UNIT_ORDINALS_EN = {word: value for word, value in _ORDINALS_EN.items() if value < 10}

_COMPOUND_EN = re.compile(r"\b(twenty|thirty)[\s-](" + "|".join(_UNITS_EN) + "|" + "|".join(_UNIT_ORDINALS_EN) + r")\b")
_COMPOUND_ES = re.compile(r"\b(veinte|treinta)\s+y\s+(un|una|" + "|".join(_UNITS_ES) + r")\b")
_ORDINAL_EN = re.compile(
    r"\b((?:the|to|till|until|through|thru|"
    + "|".join(_MONTHS_EN)
    + r")\s+)("
    + "|".join(sorted(_ORDINALS_EN, key=len, reverse=True))
    + r")\b"
    r"(?=\s*(?:$|[,.!?;)]|of\b|to\b|till\b|until\b|through\b|thru\b|and\b|-|for\b))"
)
_PRIMERO = re.compile(r"\bprimero(?=\s+de\b)|(?<=\bel\s)primero\b(?=\s*(?:$|[,.!?;]|al\b|y\b|hasta\b))")
_CARDINAL = re.compile(r"\b(" + "|".join(sorted(_CARDINALS, key=len, reverse=True)) + r")\b")
_ONCE = re.compile(r"\bonce\b")


def _compound_en(match: re.Match[str]) -> str:
    tens = 20 if match.group(1) == "twenty" else 30
    unit = match.group(2)
    if unit in _UNIT_ORDINALS_EN:
        return f"{tens + _UNIT_ORDINALS_EN[unit]}th"
    return str(tens + _CARDINALS[unit])


def _compound_es(match: re.Match[str]) -> str:
    tens = 20 if match.group(1) == "veinte" else 30
    unit = match.group(2)
    return str(tens + (1 if unit in ("un", "una") else _CARDINALS[unit]))


def words_to_digits(text: str, language: str) -> str:
    """Replace number words in folded ``text`` with digits.

    English ordinals are turned into "<n>th" only where they are dates: after "the", "to" or a
    month ("the third of March", "December twelfth to fifteenth"); "primero" only as a day
    ("el primero de enero"). The Spanish "once" (eleven) is read only when ``language`` is
    "es", since in English it means one time.
    """
    text = _COMPOUND_EN.sub(_compound_en, text)
    text = _COMPOUND_ES.sub(_compound_es, text)
    text = _ORDINAL_EN.sub(lambda m: f"{m.group(1)}{_ORDINALS_EN[m.group(2)]}th", text)
    text = _PRIMERO.sub("1º", text)
    if language == "es":
        text = _ONCE.sub("11", text)
    return _CARDINAL.sub(lambda m: str(_CARDINALS[m.group(1)]), text)
