"""What a guest said about a day, before it is placed on the calendar.

A mention is a day with an optional month and year (:class:`PartialDate`), a weekday
(:class:`WeekdayRef`), the weekend around a day (:class:`WeekendOf`), a number of days after
the other date (:class:`DaysAfter`), a day the reference already fixes ("mañana", "this
weekend"), or a day the calendar does not have (:class:`~..types.NoSuchDay`, "30 de
febrero"), kept so that it is told back rather than dropped. ``date_grammar.py`` finds them; ``dates.py`` pairs
them into a stay and places them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeAlias

from agente.conversation.nlu.entities.date_roles import Role
from agente.conversation.nlu.types import NoSuchDay

__all__ = ["DateMention", "DaysAfter", "PartialDate", "WeekdayMode", "WeekdayRef", "WeekendOf", "When"]

WeekdayMode = Literal["onward", "after", "next_week", "following_week", "last"]


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class PartialDate:
    day: int
    month: int | None = None
    year: int | None = None

    @classmethod
    def checked(cls, day: int, month: int | None = None, year: int | None = None) -> PartialDate | None:
        """The date, or None if no year has it ("31 de abril", "45/12")."""
        if month is not None and not 1 <= month <= 12:
            return None
        if not 1 <= day <= (_DAYS_IN_MONTH[month - 1] if month else 31):
            return None
        return cls(day, month, year)

    @classmethod
    def read(cls, day: int, month: int | None = None, year: int | None = None) -> PartialDate | NoSuchDay:
        """The date, or the day the calendar does not have ("31 de abril", "el 32", "29/2/2027")."""
        if month is not None and year is not None and month == 2 and day == 29 and not _leap(year):
            return NoSuchDay(day, month, year)
        return cls.checked(day, month, year) or NoSuchDay(day, month, year)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True, slots=True)
class WeekdayRef:
    """A weekday: "onward" is on or after today ("este viernes"), "after" strictly after
    ("el viernes", "next friday"), "next_week" in the next Monday-to-Sunday week,
    "following_week" in the week after the other date's ("nos vamos el martes de la semana
    siguiente"), "last" strictly before today."""

    weekday: int
    mode: WeekdayMode = "onward"


@dataclass(frozen=True, slots=True)
class WeekendOf:
    """The Friday of the weekend around a day ("el fin de semana del 12", "the weekend of the 12th")."""

    day: PartialDate


@dataclass(frozen=True, slots=True)
class DaysAfter:
    """So many days after the other date of the stay ("y nos vamos 3 días después")."""

    days: int


When: TypeAlias = PartialDate | WeekdayRef | WeekendOf | DaysAfter | NoSuchDay | date


@dataclass(frozen=True, slots=True)
class DateMention:
    """One mention: its span in the normalised message, the day it names, and the role the
    guest gave it (see ``date_roles``). ``default_out``/``default_nights`` complete the stay
    when nothing else does ("this weekend" leaves on Sunday, "tonight" is one night). A
    ``vague`` mention ("este finde") gives way to explicit days in the same message."""

    start: int
    end: int
    when: When
    role: Role | None = None
    default_out: date | None = None
    default_nights: int | None = None
    vague: bool = False
