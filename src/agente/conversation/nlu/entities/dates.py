"""The stay a message asks for: check-in, check-out (the departure day) and nights.

    extract_stay("del 12 al 15 de diciembre", "es", date(2026, 11, 29))
        -> StayDates(check_in=2026-12-12, check_out=2026-12-15, nights=3)
    extract_stay("next Friday for 3 nights", "en", date(2026, 11, 29))
        -> StayDates(check_in=2026-12-04, check_out=2026-12-07, nights=3)

How dates are placed, given ``reference`` (today at the hotel):

* A date without a year is its next occurrence on or after the reference ("5 de enero" said
  in December is next January); a date without a month is the next such day ("el 12").
* A departure without a year or month is the first such day after the arrival, so
  "del 28 de diciembre al 2 de enero" and "from the 30th till the 2nd" cross over; an arrival
  without a month takes the departure's ("del 12 al 15 de diciembre").
* Weekdays: "este viernes" / "this friday" is the next Friday on or after today; "el
  viernes", "on Friday", "next friday", "el próximo viernes" the next one after today (the
  same day unless today is a Friday); "friday next week" / "el viernes de la semana que
  viene" the Friday of the next Monday-to-Sunday week. A departure weekday is the first one
  after the arrival ("del lunes al jueves").
* "this weekend" / "este fin de semana" is check-in Friday, check-out Sunday (two nights);
  said on Friday or Saturday it starts today, said on Sunday it is the coming one.
  "next weekend" / "el finde que viene" is the first weekend whose Friday is after today;
  "last weekend" / "el finde pasado" the weekend of last week.
* "el fin de semana del 12" / "the weekend of the 12th" is Friday to Sunday of that weekend.
* "el 14 y 15" / "the 3rd and 4th" / "esta noche y mañana" (two days in a row joined by
  "y"/"and", not after "entre"/"between") lists the nights: check-out is the day after.
  Weekdays are not lists: "el sábado y domingo" is Saturday to Sunday.
* "tonight" / "esta noche" / "tomorrow night" / "Saturday night" is one night unless a
  length is said.
* "next week" / "la semana que viene" alone is not a day and gives nothing: the guest is
  asked.
* A date the guest places before today (an explicit past year, "ayer", "last Monday") is
  kept and flagged ``in_past``; nothing said without a year is moved into the past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TypeAlias

from agente.conversation.nlu.entities.counts import mask_party_numbers
from agente.conversation.nlu.entities.date_grammar import find_mentions, has_numeric_dates
from agente.conversation.nlu.entities.date_mentions import (
    DateMention,
    DaysAfter,
    PartialDate,
    WeekdayRef,
    WeekendOf,
    When,
)
from agente.conversation.nlu.entities.durations import take_nights
from agente.conversation.nlu.entities.noise import mask_noise
from agente.conversation.nlu.entities.text import normalise
from agente.conversation.nlu.types import NoSuchDay, StayDates

__all__ = ["Discussed", "extract_stay"]

Discussed: TypeAlias = tuple[date | None, date | None]
"""The check-in and check-out of the stay under discussion, either unknown."""


def _pair(mentions: list[DateMention]) -> tuple[DateMention | None, DateMention | None]:
    """Arrival and departure mentions; a later arrival starts over, so corrections win."""
    arrival: DateMention | None = None
    departure: DateMention | None = None
    last_slot_is_arrival = True
    for mention in mentions:
        if mention.role == "fix":
            is_arrival = last_slot_is_arrival
        elif mention.role is None:
            is_arrival = arrival is None or departure is not None
        else:
            is_arrival = mention.role == "in"
        if is_arrival:
            if arrival is not None and departure is not None and mention.role != "fix":
                departure = None
            arrival = mention
        else:
            departure = mention
        last_slot_is_arrival = is_arrival
    return arrival, departure


# A day said as the date of an occasion ("her birthday is on the 12th") is not a stay date
# when the message gives the stay elsewhere; the clause before the day says so.
_OCCASION_BEFORE = re.compile(
    r"\b(?:birthday|bday|anniversary|wedding|graduation|cumpleanos|cumple|aniversario|boda|graduacion|santo)\b"
    r"[^.,;!?¦]{0,40}$"
)


def _without_occasions(mentions: list[DateMention], text: str) -> list[DateMention]:
    stay = [m for m in mentions if not _OCCASION_BEFORE.search(text[max(0, m.start - 60) : m.start])]
    return stay if stay else mentions


def _days_over_vague(mentions: list[DateMention]) -> list[DateMention]:
    """ "este finde, del 6 al 8" / "the weekend of the 19th to 21st": the days said win."""
    if any(isinstance(m.when, (PartialDate, NoSuchDay)) for m in mentions):
        return [m for m in mentions if not m.vague]
    return mentions


def _month_back(month: int, year: int | None) -> tuple[int, int | None]:
    if month > 1:
        return month - 1, year
    return 12, None if year is None else year - 1


def _borrow(arrival: PartialDate, departure: PartialDate) -> PartialDate:
    """Complete an arrival from the departure's month and year ("del 12 al 15 de diciembre")."""
    month, year = arrival.month, arrival.year
    if month is None and departure.month is not None:
        month, year = departure.month, departure.year
        if arrival.day > departure.day:
            month, year = _month_back(month, year)
    if year is None and month is not None and departure.year is not None and departure.month is not None:
        year = departure.year if month <= departure.month else departure.year - 1
    return PartialDate(arrival.day, month, year)


def _on_or_after(partial: PartialDate, anchor: date, strictly: bool) -> date | None:
    """The first date ``partial`` can be from ``anchor``, within a year: None when there is
    none (the 29th of February of a year without one)."""
    if partial.year is not None and partial.month is not None:
        try:
            return date(partial.year, partial.month, partial.day)
        except ValueError:
            return None
    year, month = anchor.year, anchor.month
    for _ in range(13):
        if partial.month in (None, month):
            try:
                candidate = date(partial.year or year, month, partial.day)
            except ValueError:
                candidate = None
            if candidate is not None and (candidate > anchor or (candidate == anchor and not strictly)):
                return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _weekday(ref: WeekdayRef, anchor: date, reference: date, is_departure: bool) -> date:
    if ref.mode == "next_week" or (ref.mode == "following_week" and not is_departure):
        monday = reference + timedelta(days=7 - reference.weekday())
        return monday + timedelta(days=ref.weekday)
    if ref.mode == "following_week":
        # "nos vamos el martes de la semana siguiente": the week after the arrival's.
        monday = anchor + timedelta(days=7 - anchor.weekday())
        return monday + timedelta(days=ref.weekday)
    if ref.mode == "last":
        return reference - timedelta(days=(reference.weekday() - ref.weekday) % 7 or 7)
    strictly = is_departure or ref.mode == "after"
    ahead = (ref.weekday - anchor.weekday()) % 7
    return anchor + timedelta(days=ahead or (7 if strictly else 0))


def _in_discussed_month(partial: PartialDate, reference: date, discussed: Discussed) -> date | None:
    """A bare day ("the 16th") while a stay is under discussion: in the month of its arrival, or
    the last such day before its departure when only that is known; None when that day has
    passed or does not fit."""
    arrival, departure = discussed
    if partial.month is not None:
        return None
    if arrival is not None:
        try:
            candidate = date(arrival.year, arrival.month, partial.day)
        except ValueError:
            return None
        return candidate if candidate >= reference else None
    if departure is not None:
        day = departure - timedelta(days=1)
        for _ in range(31):
            if day < reference:
                return None
            if day.day == partial.day:
                return day
            day -= timedelta(days=1)
    return None


def _place(when: When, anchor: date, reference: date, is_departure: bool) -> date | None:
    if isinstance(when, WeekdayRef):
        return _weekday(when, anchor, reference, is_departure)
    if isinstance(when, PartialDate):
        return _on_or_after(when, anchor, strictly=is_departure)
    if isinstance(when, WeekendOf):
        day = _on_or_after(when.day, anchor, strictly=is_departure)
        if day is None:
            return None
        return day + timedelta(days=4 - day.weekday()) if day.weekday() < 4 else day - timedelta(days=day.weekday() - 4)
    if isinstance(when, DaysAfter):
        return anchor + timedelta(days=when.days)
    if isinstance(when, NoSuchDay):
        return None
    return when


def _no_such_day(when: When, reference: date) -> NoSuchDay | None:
    """The day ``when`` names that the calendar does not have, if it names one."""
    if isinstance(when, NoSuchDay):
        return when
    if isinstance(when, PartialDate) and (when.month, when.day) == (2, 29) and when.year is None:
        # The 29th of February in a year without one: the next February is meant.
        if _on_or_after(when, reference, strictly=False) is None:
            year = reference.year if reference.month <= 2 else reference.year + 1
            return NoSuchDay(29, 2, year)
    return None


@dataclass(frozen=True, slots=True)
class _Reading:
    check_in: date | None = None
    check_out: date | None = None
    no_such_day: NoSuchDay | None = None
    reversed_stay: tuple[date, date] | None = None


def _ends(
    arrival: DateMention | None, departure: DateMention | None, reference: date, discussed: Discussed
) -> tuple[date | None, date | None]:
    arrival_when = arrival.when if arrival else None
    if isinstance(arrival_when, PartialDate) and departure and isinstance(departure.when, PartialDate):
        arrival_when = _borrow(arrival_when, departure.when)
    check_in = None
    if arrival is not None and arrival.role is None and departure is None and discussed[0] and not discussed[1]:
        # Only the arrival is known and a day comes alone: it answers "until which day?" and is
        # the first such day after that arrival (the dialogue reads it as the departure).
        check_in = _place(arrival.when, discussed[0], reference, True)
    elif arrival_when is not None:
        if isinstance(arrival_when, PartialDate):
            # A departure in the message is the message's own: only the discussed month applies.
            check_in = _in_discussed_month(
                arrival_when, reference, discussed if departure is None else (discussed[0], None)
            )
        if check_in is None:
            check_in = _place(arrival_when, reference, reference, False)
    check_out = None
    if departure is not None:
        # A departure alone is placed after the arrival under discussion ("until the 15th").
        anchor = check_in or (discussed[0] if arrival is None else None) or reference
        check_out = _place(departure.when, anchor, reference, True)
        # A night said as the end ("tonight and tomorrow night") is the last night slept.
        if check_out is not None and departure.default_nights:
            check_out += timedelta(days=1)
    return check_in, check_out


def _turned_around(
    arrival: DateMention, departure: DateMention, forward: int | None, reference: date, discussed: Discussed
) -> tuple[date, date] | None:
    """The stay with its two days exchanged, when that reading is the likely one: the departure
    said is before the arrival ("del 5 al 3 de enero", "from the 20th to the 18th"), and read
    the other way round the stay is shorter than read as crossing into the next month or year
    ("del 30 al 2" crosses: two nights, not twenty-eight)."""
    if not (isinstance(arrival.when, PartialDate) and isinstance(departure.when, PartialDate)):
        return None
    if departure.role == "and":
        return None
    check_in, check_out = _ends(replace(departure, role="in"), replace(arrival, role="out"), reference, discussed)
    if check_in is None or check_out is None or check_out <= check_in:
        return None
    if forward is not None and (check_out - check_in).days >= forward:
        return None
    return check_in, check_out


def _dates(
    arrival: DateMention | None, departure: DateMention | None, reference: date, discussed: Discussed
) -> _Reading:
    for mention, other in ((arrival, departure), (departure, arrival)):
        when = mention.when if mention is not None else None
        if (
            mention is arrival
            and isinstance(when, PartialDate)
            and departure
            and isinstance(departure.when, PartialDate)
        ):
            when = _borrow(when, departure.when)  # "del 29 de febrero al 2 de marzo de 2028"
        missing = _no_such_day(when, reference) if when is not None else None
        if missing is not None:
            # Told back and asked again; the other date keeps its own role.
            if other is None or _no_such_day(other.when, reference) is not None:
                return _Reading(no_such_day=missing)
            if other is arrival:
                if isinstance(other.when, PartialDate) and missing.month is not None:
                    # "del 28 al 31 de abril": the arrival is in the month said for the end.
                    other = replace(other, when=_borrow(other.when, PartialDate(missing.day, missing.month)))
                return _Reading(*_ends(other, None, reference, discussed), no_such_day=missing)
            return _Reading(*_ends(None, other, reference, discussed), no_such_day=missing)
    check_in, check_out = _ends(arrival, departure, reference, discussed)
    if check_in is None or check_out is None or arrival is None or departure is None:
        return _Reading(check_in, check_out)
    if check_out <= check_in:
        turned = _turned_around(arrival, departure, None, reference, discussed) if check_out < check_in else None
        return _Reading(reversed_stay=turned) if turned else _Reading(check_in)
    if _crosses(arrival.when, departure.when):
        turned = _turned_around(arrival, departure, (check_out - check_in).days, reference, discussed)
        if turned is not None:
            return _Reading(reversed_stay=turned)
    # "el 14 y 15" / "Friday the 18th and Saturday the 19th": two nights listed, not a range.
    if departure.role == "and" and arrival.role is None:
        if not isinstance(arrival.when, WeekdayRef) and check_out == check_in + timedelta(days=1):
            check_out += timedelta(days=1)
    return _Reading(check_in, check_out)


def _crosses(arrival: When, departure: When) -> bool:
    """Both are days and the departure, as said, comes before the arrival in the calendar:
    the stay is read as crossing into the next month or year ("del 30 al 2")."""
    if not (isinstance(arrival, PartialDate) and isinstance(departure, PartialDate)):
        return False
    if arrival.month is not None and departure.month is not None:
        return (departure.month, departure.day) < (arrival.month, arrival.day)
    return departure.day < arrival.day


def _plausible(check_in: date | None, check_out: date | None) -> bool:
    return check_in is not None and check_out is not None and 0 < (check_out - check_in).days <= 31


def extract_stay(text: str, language: str, reference: date, discussed: Discussed = (None, None)) -> StayDates:
    """The stay dates in ``text`` (``language`` "es" or "en"), placed from ``reference``.

    Fills check-out from check-in and nights, nights from both dates, and check-in from
    check-out and nights; a stated length wins over the default of a weekend or "tonight".
    Dates that are not stay dates (times, prices, phones, references, ages, room numbers)
    are ignored. Everything is None when the message gives no dates.

    ``discussed`` is the stay the conversation is about: days said without a month are in
    its month ("make it the 16th to the 19th" after a January quote is January), and a
    departure said alone is after its arrival. A day the calendar does not have, or a
    departure before the arrival, comes back as ``no_such_day`` / ``reversed_stay`` and is
    never completed into a stay.
    """
    normalised = mask_noise(normalise(text, language))
    nights, masked = take_nights(normalised)
    masked = mask_party_numbers(masked)
    arrival, departure = _pair(_days_over_vague(_without_occasions(find_mentions(masked, language, reference), masked)))
    reading = _dates(arrival, departure, reference, discussed)
    if language == "en" and not _plausible(reading.check_in, reading.check_out) and has_numeric_dates(masked):
        # "arriving 4/2, leaving 4/5" is a three-night stay in April, not three months from
        # February: English numeric dates that only make a stay month/day are read so.
        us_mentions = find_mentions(masked, language, reference, month_first=True)
        us_arrival, us_departure = _pair(_days_over_vague(_without_occasions(us_mentions, masked)))
        us_reading = _dates(us_arrival, us_departure, reference, discussed)
        if _plausible(us_reading.check_in, us_reading.check_out):
            arrival, departure, reading = us_arrival, us_departure, us_reading
    if reading.no_such_day is not None or reading.reversed_stay is not None:
        return StayDates(
            check_in=reading.check_in,
            check_out=reading.check_out,
            nights=nights,
            no_such_day=reading.no_such_day,
            reversed_stay=reading.reversed_stay,
        )
    check_in, check_out = reading.check_in, reading.check_out
    if check_in is not None and check_out is None and nights is None and arrival is not None:
        if arrival.default_out is not None and arrival.default_out > check_in:
            check_out = arrival.default_out
        elif arrival.default_nights is not None:
            nights = arrival.default_nights
    if check_in is not None and check_out is not None:
        nights = (check_out - check_in).days
    elif check_in is not None and nights is not None:
        check_out = check_in + timedelta(days=nights)
    elif check_out is not None and nights is not None:
        check_in = check_out - timedelta(days=nights)
    first_day = check_in or check_out
    return StayDates(
        check_in=check_in,
        check_out=check_out,
        nights=nights,
        in_past=first_day is not None and first_day < reference,
    )
