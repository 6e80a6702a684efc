"""The date grammar: every mention of a day in a normalised message, in reading order.

Patterns run from the most specific to the loosest, and each match is blanked out so that a
looser pattern cannot read it again:

    ranges        "12-15/12", "del 12 al 15 de dic", "dec 3-5", "the 18th-21st"
    full dates    "2026-12-12", "12/12/2026", "el 5 del mes que viene", "Nochevieja",
                  "3 de marzo", "March 3, 2025"
    weekday + day "viernes 11", "Friday the 4th"
    relative      "pasado mañana", "tonight", "ayer", "in 3 days"
    weekends      "este finde", "next weekend", "el finde pasado"
    weekdays      "sat to tue", "el viernes", "next friday", "friday next week"
    bare days     "del 12", "al 15", "the 5th", "3 días después"

Numeric dates are day/month; an English message whose numbers only make sense as
month/day ("12/20") is read month/day throughout.

Then, over the whole message, a month said on its own ("en marzo", "in march") is the month
of bare days ("del 12 al 15, en marzo"). A day the calendar does not have ("30 de febrero",
"del 30 al 32") is a mention too, so that it is told back instead of dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeAlias

from agente.conversation.nlu.entities.calendar_words import (
    FULL_MONTH_PATTERN,
    MONTH_PATTERN,
    MONTHS,
    WEEKDAY_PATTERN,
    WEEKDAY_SHORT_PATTERN,
    weekday_number,
)
from agente.conversation.nlu.entities.date_mentions import (
    DateMention,
    DaysAfter,
    PartialDate,
    WeekdayMode,
    WeekdayRef,
    WeekendOf,
    When,
)
from agente.conversation.nlu.entities.date_roles import role_around
from agente.conversation.nlu.types import NoSuchDay

__all__ = ["find_mentions", "has_numeric_dates"]


@dataclass(frozen=True, slots=True)
class _Context:
    reference: date
    month_first: bool
    text: str  # the message with what earlier patterns read blanked out


# A handler turns a match into mentions; None leaves the text for later patterns.
_Handler: TypeAlias = Callable[[re.Match[str], _Context], list[DateMention] | None]

_D = r"(?:3[01]|[12]\d|0?[1-9])"
# Where the words make a number a day of the month (a range, "32 de enero"), days up to 39 are
# read too, as days the calendar does not have.
_DX = r"(?:3\d|[12]\d|0?[1-9])"
_M = r"(?:1[0-2]|0?[1-9])"
_Y = r"(?:19|20)\d{2}"
_MON = MONTH_PATTERN
_TO = r"(?P<to>-|–|al|a|to|till|til|until|thru|through|hasta(?:\s+el)?|y|and)"
_NOUNS = r"noches?|nights?|dias|days|semanas?|weeks?|horas?|hours?|piso|planta|floor|estrellas|stars|veces|times"

# Words after a number that make "2 to 4" a count, an hour or a price rather than days.
_NOT_DAYS = (
    r"am|pm|a\.m|p\.m|h|hs|hrs|horas?|hours?|o'?clock|personas?|people|persons?|guests?|adult[oa]?s?|"
    r"ninos?|kids?|children|habitacion(?:es)?|rooms?|camas?|beds?|usd|eur|euros?|dolares|dollars|\$|€|%|"
    r"min|mins|minutos?|minutes?|km|kms|metros|meters|anos|years|grados|degrees"
)

# Blanks out what a pattern has read; distinct from the noise mark so that a weekday next to
# a date ("viernes 11 de diciembre") can be told from one next to a price or a count.
_FOUND = "¦"


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def _one(
    m: re.Match[str], when: When | None, default_out: date | None = None, default_nights: int | None = None
) -> list[DateMention] | None:
    # A date that cannot be ("31 de abril") is still consumed, so no looser pattern reads "el 31".
    if when is None:
        return []
    return [DateMention(m.start(), m.end(), when, default_out=default_out, default_nights=default_nights)]


_BETWEEN_BEFORE = re.compile(r"\b(?:entre|between)\s+(?:el\s+|the\s+|los\s+dias\s+)?$")


def _two(
    m: re.Match[str], ctx: _Context, first: PartialDate | NoSuchDay, second: PartialDate | NoSuchDay
) -> list[DateMention] | None:
    """Both ends of a range. Joined by "y"/"and" and not after "entre"/"between", the two days
    may be the nights listed ("el 14 y 15"), which ``dates.py`` decides with the role "and"."""
    listed = m.groupdict().get("to") in ("y", "and") and not _BETWEEN_BEFORE.search(ctx.text[: m.start()])
    return [
        DateMention(m.start("d1"), m.end("d1"), first, role=None if listed else "in"),
        DateMention(m.start("d2"), m.end(), second, role="and" if listed else "out"),
    ]


def _range_month_after(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    month = MONTHS[m["mon"]] if m["mon"] else int(m["m"])
    return _two(m, ctx, PartialDate.read(int(m["d1"])), PartialDate.read(int(m["d2"]), month, _year(m["y"])))


def _range_month_before(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    return _two(m, ctx, PartialDate.read(int(m["d1"]), MONTHS[m["mon"]], _year(m["y"])), PartialDate.read(int(m["d2"])))


def _day_range(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    d1, d2 = int(m["d1"]), int(m["d2"])
    return _two(m, ctx, PartialDate.read(d1), PartialDate.read(d2)) if d2 > d1 or m["o1"] else None


def _weekend_of(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    month = m["mon"] or m["mb"]
    day = PartialDate.checked(int(m["d"]), MONTHS[month] if month else None)
    return None if day is None else _one(m, WeekendOf(day), default_nights=2)


def _iso(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    return _one(m, PartialDate.read(int(m["d"]), int(m["m"]), int(m["y"])))


def _numeric(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    a, b, year = int(m["a"]), int(m["b"]), _year(m["y"])
    if year is None and m["sep"] == ".":
        return None
    if year is None and m["sep"] == "-" and b > a:
        return None
    day, month = (b, a) if ctx.month_first else (a, b)
    if month > 12 and day <= 12:
        day, month = month, day
    if month > 12 or day > 31:
        return []  # "45/12" is no date at all
    return _one(m, PartialDate.read(day, month, year))


def _day_of_month(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    year, month = ctx.reference.year, ctx.reference.month
    if m["which"] in ("mes que viene", "proximo mes", "next month"):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return _one(m, PartialDate.read(int(m["d"]), month, year))


def _night_of(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    return _one(m, PartialDate.read(int(m["d"]), MONTHS[m["mon"]] if m["mon"] else None), default_nights=1)


def _holiday(day: int, month: int) -> _Handler:
    def handler(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
        return _one(m, PartialDate(day, month))

    return handler


def _day_month(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    return _one(m, PartialDate.read(int(m["d"]), MONTHS[m["mon"]], _year(m["y"])))


def _weekday_day(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    return _one(m, PartialDate.read(int(m["d"])))


# "hasta mañana", "see you tomorrow", "te llamo mañana" end a chat; they are not a stay.
_GOODBYE_BEFORE = re.compile(
    r"(?:(?:^|[.!?,;]|gracias|adios|vale|ok|bueno|perfecto|genial|saludos)\s*hasta|see\s+you|talk(?:\s+to\s+you)?|"
    r"speak(?:\s+to\s+you)?|call\s+(?:you|me)|text\s+you|write\s+(?:to\s+)?you|get\s+back\s+to\s+you|"
    r"let\s+you\s+know|confirm|(?:te|os|le|les)\s+(?:llamo|escribo|digo|confirmo)|llamame|escribeme|me\s+llamas|"
    r"hablamos|nos\s+vemos|confirmo)(?:\s+[^\s]+){0,2}\s+$"
)


def _relative(offset: int, nights: int | None = None) -> _Handler:
    def handler(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
        if m.group(0) in ("manana", "tomorrow") and _GOODBYE_BEFORE.search(ctx.text[: m.start()]):
            return None
        shift = offset * int(m["n"]) if "n" in m.groupdict() and m["n"] and m["n"].isdigit() else offset
        return _one(m, ctx.reference + timedelta(days=shift), default_nights=nights)

    return handler


def _days_after(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    """A departure so many days after the arrival ("y nos vamos 3 días después", "the day after")."""
    days = int(m["n"]) if m["n"] else 1
    return [DateMention(m.start(), m.end(), DaysAfter(days), role="out")] if 1 <= days <= 60 else None


def _weekend(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    ref = ctx.reference
    pre = re.sub(r"\s+", " ", m["pre"] or "")
    following = m["post"] in ("que viene", "proximo", "next") or pre in ("next", "proximo", "el proximo")
    if m["post"] == "pasado" or pre in ("last", "el pasado", "pasado"):
        # The weekend of last week, said any day of this one.
        start = ref - timedelta(days=ref.weekday() + 3)
    elif following:
        start = ref + timedelta(days=(4 - ref.weekday()) % 7 or 7)
    elif ref.weekday() in (4, 5):
        start = ref
    else:
        start = ref + timedelta(days=(4 - ref.weekday()) % 7)
    return [DateMention(m.start(), m.end(), start, default_out=start + timedelta(days=6 - start.weekday()), vague=True)]


_NEXT_WEEK = re.compile(r"next\s+week|semana\s+que\s+viene|proxima\s+semana|otra\s+semana|after\s+next")
_FOLLOWING_WEEK = re.compile(r"semana\s+siguiente|siguiente\s+semana|following\s+week|week\s+after")
_DATE_AFTER = re.compile(rf"\s*,?\s*(?:the\s+|el\s+|dia\s+)?{_FOUND}")
_DATE_BEFORE = re.compile(rf"{_FOUND}\s*[,(]?\s*$")


def _weekday_mode(m: re.Match[str]) -> WeekdayMode:
    pre = re.sub(r"\s+", " ", m["pre"] or "").strip()
    post = re.sub(r"\s+", " ", m.groupdict().get("post") or "").strip()
    if _FOLLOWING_WEEK.search(pre) or _FOLLOWING_WEEK.search(post):
        return "following_week"
    if _NEXT_WEEK.search(pre) or _NEXT_WEEK.search(post):
        return "next_week"
    if pre in ("last", "el pasado") or post == "pasado":
        return "last"
    # Only "este viernes" / "this friday" can be today: said on a Friday, "el viernes" and
    # "on Friday" mean the next one (today would be "hoy").
    return "onward" if pre in ("este", "esta", "this") else "after"


def _weekday(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    if _DATE_AFTER.match(ctx.text, m.end()) or _DATE_BEFORE.search(ctx.text[: m.start()]):
        return None
    weekday = WeekdayRef(weekday_number(m["wd"]), _weekday_mode(m))
    return _one(m, weekday, default_nights=1 if m["night"] else None)


def _weekday_range(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    """Two weekdays as a range ("Sat to Tue", "vie-dom"), where even short names are safe."""
    if _DATE_BEFORE.search(ctx.text[: m.start()]):
        return None
    return [
        DateMention(m.start("w1"), m.end("w1"), WeekdayRef(weekday_number(m["w1"]), _weekday_mode(m)), role="in"),
        DateMention(m.start("w2"), m.end(), WeekdayRef(weekday_number(m["w2"])), role="out"),
    ]


def _day_only(m: re.Match[str], ctx: _Context) -> list[DateMention] | None:
    day = PartialDate.checked(int(m["d"]))
    return None if day is None else [DateMention(m.start("d"), m.end(), day)]


_WEEKDAY_PRE = (
    r"(?:(?P<pre>el\s+proximo|el\s+que\s+viene|proximo|proxima|this\s+coming|este|esta|next\s+week(?:\s+on)?|"
    r"la\s+semana\s+que\s+viene(?:\s+el)?|la\s+proxima\s+semana(?:\s+el)?|next|this|coming|last|el\s+pasado|el|on|"
    r"el\s+siguiente|the\s+following|following|para\s+el|for)\s+)"
)
_WEEKDAY_POST = (
    r"(?:\s+(?P<post>que\s+viene|proximo|pasado|next\s+week|de\s+la\s+semana\s+que\s+viene|"
    r"de\s+la\s+proxima\s+semana|de\s+la\s+otra\s+semana|after\s+next|de\s+la\s+semana\s+siguiente|"
    r"de\s+la\s+siguiente\s+semana|of\s+the\s+following\s+week|of\s+the\s+week\s+after|the\s+week\s+after|"
    r"siguiente|after\s+that))?"
)
_NIGHT_AFTER = r"(?P<night>\s+(?:night|evening|noche|por\s+la\s+noche|en\s+la\s+noche))?"
_DAY_PREPOSITIONS = (
    r"el\s+dia|el|del|al|dia|the|on|from|to|till|til|until|thru|through|hasta\s+el\s+dia|hasta\s+el|hasta|"
    r"desde\s+el|desde|a\s+partir\s+del|a\s+partir\s+de|entre\s+el|between\s+the|y\s+el|and\s+the|for\s+the|"
    r"starting|llegada|salida|checkin|checkout|arrive|arriving|leave|leaving|depart|departing|para\s+el"
)

_GRAMMAR: tuple[tuple[re.Pattern[str], _Handler], ...] = tuple(
    (re.compile(pattern), handler)
    for pattern, handler in (
        (
            rf"\b(?:fin\s+de\s+semana|weekend)\s+(?:del|de|of|on)\s+(?:the\s+|el\s+|dia\s+)?"
            rf"(?:(?P<mb>{_MON})\.?\s+(?:the\s+)?)?(?P<d>{_D})º?(?:\s*(?:de\s+|of\s+)?(?P<mon>{_MON})\b\.?)?"
            rf"(?![\dº/]|[.\-]\d|\s*{_TO}\s*(?:el\s+|the\s+)?\d)",
            _weekend_of,
        ),
        (
            rf"(?<![\d/.\-º])(?P<d1>{_DX})º?\s*{_TO}\s*(?:el\s+|the\s+)?(?P<d2>{_DX})º?\s*(?P<sep>[/.\-])\s*"
            rf"(?P<m>{_M})(?:\s*(?P=sep)\s*(?P<y>{_Y}|\d{{2}}))?(?![\dº/]|[.\-]\d)(?P<mon>)",
            _range_month_after,
        ),
        (
            rf"\b(?P<d1>{_DX})º?\s*{_TO}\s*(?:el\s+|the\s+|dia\s+)?(?P<d2>{_DX})º?(?:\s*(?:de|of)\s+|-|\s*)"
            rf"(?P<mon>{_MON})\b\.?(?:\s*(?:de|del|,)?\s*(?P<y>{_Y})\b)?",
            _range_month_after,
        ),
        (
            rf"\b(?P<mon>{_MON})\b\.?\s*(?P<d1>{_DX})º?\s*{_TO}\s*(?:el\s+|the\s+)?(?P<d2>{_DX})º?"
            rf"(?![\dº/]|[.:]\d|\s*(?:de\s+|of\s+)?{_MON}\b)(?:\s*,?\s*(?P<y>{_Y})\b)?",
            _range_month_before,
        ),
        (rf"\b(?P<y>{_Y})-(?P<m>{_M})-(?P<d>{_D})\b", _iso),
        # "del 30 al 32": after "del"/"from", the end of a range is a day even when no month has it.
        (
            rf"\b(?:del|desde\s+el|desde|from\s+the|from)\s+(?P<d1>{_D})(?P<o1>º?)\s*"
            rf"(?P<to>-|–|al|a|to|till|until|hasta(?:\s+el)?)\s*(?:el\s+|the\s+)?(?P<d2>3[2-9])º?"
            rf"(?![\dº/]|[.:\-]\d|\s*(?:{_NOUNS}|{_NOT_DAYS})\b)",
            _day_range,
        ),
        (
            rf"(?<![\d/.\-º])(?P<d1>{_D})(?P<o1>º?)\s*[-–]\s*(?P<d2>{_D})º?"
            rf"(?![\dº/]|[.\-]\d|\s*(?:de\s+|of\s+)?{_MON}\b|\s*(?:{_NOUNS})\b)",
            _day_range,
        ),
        # "19 to 22" said alone: both ends are bare days, so counts and hours are kept out.
        (
            rf"(?<![\d/.\-º:$€])\b(?P<d1>{_D})(?P<o1>º?)\s+(?P<to>to|till|until|thru|through|al|hasta)\s+"
            rf"(?:el\s+|the\s+)?(?P<d2>{_D})º?(?![\dº/]|[.:\-]\d|\s*(?:de\s+|of\s+)?{_MON}\b|"
            rf"\s*(?:{_NOUNS}|{_NOT_DAYS})\b)",
            _day_range,
        ),
        (
            rf"(?<![\d/.º])(?P<a>\d{{1,2}})\s*(?P<sep>[/.\-])\s*(?P<b>\d{{1,2}})"
            rf"(?:\s*(?P=sep)\s*(?P<y>{_Y}|\d{{2}}))?(?![\dº/]|\.\d)",
            _numeric,
        ),
        (
            rf"\b(?P<d>{_D})º?\s+(?:del|de|of)\s+(?P<which>mes\s+que\s+viene|proximo\s+mes|next\s+month|"
            rf"este\s+mes|this\s+month)\b",
            _day_of_month,
        ),
        (
            rf"\b(?:la\s+)?noche\s+del?\s+(?:dia\s+)?(?P<d>{_D})º?(?:\s+(?:de\s+)?(?P<mon>{_MON})\b\.?)?"
            rf"(?![\dº/]|[.\-]\d)",
            _night_of,
        ),
        (
            rf"\b(?:the\s+)?night\s+of\s+(?:the\s+)?(?P<d>{_D})º?(?:\s+(?:of\s+)?(?P<mon>{_MON})\b\.?)?"
            rf"(?![\dº/]|[.\-]\d)",
            _night_of,
        ),
        (r"\b(?:nochebuena|christmas\s+eve|xmas\s+eve)\b", _holiday(24, 12)),
        (r"\b(?:dia\s+de\s+navidad|christmas\s+day|xmas\s+day)\b", _holiday(25, 12)),
        (r"\b(?:nochevieja|new\s+year'?s\s+eve|fin\s+de\s+ano)\b", _holiday(31, 12)),
        (r"\b(?:ano\s+nuevo|new\s+year'?s\s+day)\b", _holiday(1, 1)),
        (
            rf"\b(?P<d>{_DX})º?(?:\s*(?:de|of|del\s+mes\s+de)\s+|-|\s*)(?P<mon>{_MON})\b\.?"
            rf"(?:\s*(?:de|del|,|-)?\s*(?P<y>{_Y})\b)?",
            _day_month,
        ),
        (
            rf"\b(?P<mon>{_MON})\b\.?\s*(?:the\s+|el\s+)?(?P<d>{_D})º?\b(?![/.:\-]\d)(?:\s*,?\s*(?P<y>{_Y})\b)?",
            _day_month,
        ),
        (
            rf"\b(?P<wd>{WEEKDAY_PATTERN}|{WEEKDAY_SHORT_PATTERN})\s*,?\s*(?:the\s+|el\s+|dia\s+)?(?P<d>{_D})º?\b"
            rf"(?![/.:\-]\d|\s*(?:de\s+|of\s+)?{_MON}\b|\s*(?:{_NOUNS})\b)",
            _weekday_day,
        ),
        (r"\bpasado\s+manana\b|\b(?:the\s+)?day\s+after\s+tomorrow\b|\bovermorrow\b", _relative(2)),
        (r"\b(?:anteayer|antier|antes\s+de\s+ayer)\b|\b(?:the\s+)?day\s+before\s+yesterday\b", _relative(-2)),
        (r"\b(?:ayer|yesterday|last\s+night|anoche)\b", _relative(-1)),
        (
            r"\b(?P<n>\d{1,2})\s+(?:dias|days)\s+(?:despues|mas\s+tarde|later|after(?:wards)?)\b"
            r"|\b(?:al|el)\s+dia\s+siguiente\b|\bthe\s+(?:next|following)\s+day\b|\bthe\s+day\s+after\b",
            _days_after,
        ),
        (
            r"\b(?:tomorrow\s+(?:night|evening)|manana\s+(?:por|en|a)\s+la\s+noche|manana\s+noche)\b",
            _relative(1, nights=1),
        ),
        (r"\btomorrow\b|(?<!\bla\s)(?<!\besta\s)(?<!\bcada\s)(?<!\blas\s)\bmanana\b", _relative(1)),
        (
            r"\b(?:tonight|esta\s+noche|this\s+evening|hoy\s+(?:por\s+la\s+|en\s+la\s+)?noche)\b",
            _relative(0, nights=1),
        ),
        (r"\b(?:hoy|today)\b", _relative(0)),
        (r"\b(?:in|en|dentro\s+de)\s+(?P<n>\d{1,2})\s+(?:dias|days)\b", _relative(1)),
        (r"\b(?:in|en|dentro\s+de)\s+(?P<n>\d{1,2}|una|un|a|one)\s+(?:semanas?|weeks?)\b", _relative(7)),
        (
            r"\b(?:(?P<pre>este|esta|this(?:\s+coming)?|coming|el\s+proximo|proximo|next|last|el\s+pasado|pasado|el|"
            r"the|para\s+el|for\s+the|on\s+the|over\s+the)\s+)?(?:fin\s+de\s+semana|weekend)"
            r"(?:\s+(?P<post>que\s+viene|proximo|next|pasado))?\b",
            _weekend,
        ),
        (
            rf"\b{_WEEKDAY_PRE}?(?P<w1>{WEEKDAY_PATTERN}|{WEEKDAY_SHORT_PATTERN})\.?\s*(?:-|–|to|till|until|thru|through|al|a|"
            rf"hasta)\s*(?P<w2>{WEEKDAY_PATTERN}|{WEEKDAY_SHORT_PATTERN})\b\.?(?!\s*(?:the\s+|el\s+)?\d)",
            _weekday_range,
        ),
        (rf"\b{_WEEKDAY_PRE}?(?P<wd>{WEEKDAY_PATTERN})\b{_WEEKDAY_POST}{_NIGHT_AFTER}", _weekday),
        (
            rf"\b(?:{_WEEKDAY_PRE}|(?:from|till|until|thru|through|arriving|arrive|leaving|leave|checkin|checkout|"
            rf"desde|hasta|del|al)\s+)(?P<wd>{WEEKDAY_SHORT_PATTERN})\b\.?{_WEEKDAY_POST}{_NIGHT_AFTER}",
            _weekday,
        ),
        (
            rf"\b(?:{_DAY_PREPOSITIONS})\s+(?:the\s+|el\s+|dia\s+)?(?P<d>{_D})º?"
            rf"(?![\dº]|[/.:,]\d|\s*(?:{_NOUNS})\b)",
            _day_only,
        ),
        (rf"(?<![\d/.\-])\b(?P<d>{_D})º(?!\s*(?:{_NOUNS})\b)", _day_only),
        # "el 22 y 23": a bare number joined to a date just read.
        (rf"(?<={_FOUND})\s*(?:,|y|e|and|&)\s*(?P<d>{_D})º?\b(?![\dº]|[/.:,]\d|\s*(?:{_NOUNS})\b)", _day_only),
    )
)

# A month said apart from any day: "en marzo", "in march", "el mes que viene"; "may" only where
# it cannot be the verb ("in may").
_LOOSE_MONTH = re.compile(
    rf"\b(?:(?P<mon>{FULL_MONTH_PATTERN})|(?:in|for|during|of|early|late|mid)\s+(?P<may>may)|"
    r"(?P<next>(?:el\s+)?mes\s+que\s+viene|(?:el\s+)?proximo\s+mes|next\s+month)|"
    r"(?P<this>este\s+mes|this\s+month))\b"
)


def _loose_months(masked: str, reference: date) -> set[tuple[int, int | None]]:
    found: set[tuple[int, int | None]] = set()
    for match in _LOOSE_MONTH.finditer(masked):
        if match["mon"] or match["may"]:
            found.add((MONTHS[match["mon"] or match["may"]], None))
        elif match["next"]:
            year, month = reference.year, reference.month
            found.add((1, year + 1) if month == 12 else (month + 1, year))
        else:
            found.add((reference.month, reference.year))
    return found


def _in_month(when: When, month: int, year: int | None) -> When:
    if isinstance(when, PartialDate) and when.month is None:
        return PartialDate.read(when.day, month, year)
    if isinstance(when, WeekendOf) and when.day.month is None:
        day = PartialDate.checked(when.day.day, month, year)
        return when if day is None else WeekendOf(day)
    return when


def _with_loose_month(mentions: list[DateMention], masked: str, reference: date) -> list[DateMention]:
    """Bare days take the one month the message names apart from them ("del 12 al 15, en marzo").

    The month goes to the arrival side: a departure without a month is the first such day
    after the arrival ("del 28 al 2, en marzo" leaves on 2 April). A message that already
    gives a day its month, or names two months, is left as it is."""

    def bare(m: DateMention) -> bool:
        return (isinstance(m.when, PartialDate) and m.when.month is None) or (
            isinstance(m.when, WeekendOf) and m.when.day.month is None
        )

    if not any(bare(m) for m in mentions) or any(
        isinstance(m.when, (PartialDate, NoSuchDay)) and m.when.month is not None for m in mentions
    ):
        return mentions
    months = _loose_months(masked, reference)
    if len(months) != 1:
        return mentions
    ((month, year),) = months
    targets = [m for m in mentions if bare(m) and m.role not in ("out", "and")] or [m for m in mentions if bare(m)]
    return [replace(m, when=_in_month(m.when, month, year)) if m in targets else m for m in mentions]


_SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/\d{2,4})?(?![\d/])")


def _month_first(text: str, language: str) -> bool:
    if language != "en":
        return False
    pairs = [(int(a), int(b)) for a, b in _SLASH_DATE.findall(text)]
    return any(a <= 12 < b for a, b in pairs) and not any(b <= 12 < a for a, b in pairs)


def has_numeric_dates(text: str) -> bool:
    """True when normalised ``text`` has a date written as numbers with a slash ("4/2")."""
    return bool(_SLASH_DATE.search(text))


def find_mentions(text: str, language: str, reference: date, month_first: bool | None = None) -> list[DateMention]:
    """Date mentions in normalised, noise-masked ``text``, in reading order, each with a role.

    The role says whether the guest placed the mention as arrival ("del 12", "llego el 5"),
    departure ("al 15", "salida el 8", "until Sunday"), or as a correction of the previous one
    ("no, mejor el 13"); it is None when the words around it do not say. ``month_first``
    forces how numeric dates are read; by default they are day/month unless an English
    message shows otherwise.
    """
    masked = text
    mentions: list[DateMention] = []
    if month_first is None:
        month_first = _month_first(text, language)
    for pattern, handler in _GRAMMAR:
        ctx = _Context(reference, month_first, masked)
        found: list[DateMention] = []
        for match in pattern.finditer(masked):
            result = handler(match, ctx)
            if result is not None:
                found.extend(result)
                masked = masked[: match.start()] + _FOUND * (match.end() - match.start()) + masked[match.end() :]
        mentions.extend(found)
    mentions.sort(key=lambda m: m.start)
    placed: list[DateMention] = []
    for index, mention in enumerate(mentions):
        previous_end = mentions[index - 1].end if index else 0
        next_start = mentions[index + 1].start if index + 1 < len(mentions) else len(text)
        role = mention.role or role_around(
            text[previous_end : mention.start], text[mention.end : next_start], has_previous=bool(index)
        )
        placed.append(replace(mention, role=role))
    return _with_loose_month(placed, masked, reference)
