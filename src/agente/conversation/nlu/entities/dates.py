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
from datetime import date, timedelta

from agente.conversation.nlu.entities.counts import mask_party_numbers
from agente.conversation.nlu.entities.date_grammar import find_mentions, has_numeric_dates
from agente.conversation.nlu.entities.date_mentions import DateMention, PartialDate, WeekdayRef, WeekendOf, When
from agente.conversation.nlu.entities.durations import take_nights
from agente.conversation.nlu.entities.noise import mask_noise
from agente.conversation.nlu.entities.text import normalise
from agente.conversation.nlu.types import StayDates

__all__ = ["extract_stay"]


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
    if partial.year is not None and partial.month is not None:
        try:
            return date(partial.year, partial.month, partial.day)
        except ValueError:
            return None
    year, month = anchor.year, anchor.month
    for _ in range(26):
        if partial.month in (None, month):
            try:
                candidate = date(year, month, partial.day)
            except ValueError:
                candidate = None
            if candidate is not None and (candidate > anchor or (candidate == anchor and not strictly)):
                return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _weekday(ref: WeekdayRef, anchor: date, reference: date, is_departure: bool) -> date:
    if ref.mode == "next_week":
        monday = reference + timedelta(days=7 - reference.weekday())
        return monday + timedelta(days=ref.weekday)
    if ref.mode == "last":
        return reference - timedelta(days=(reference.weekday() - ref.weekday) % 7 or 7)
    strictly = is_departure or ref.mode == "after"
    ahead = (ref.weekday - anchor.weekday()) % 7
    return anchor + timedelta(days=ahead or (7 if strictly else 0))


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
    return when


def _dates(
    arrival: DateMention | None, departure: DateMention | None, reference: date
) -> tuple[date | None, date | None]:
    arrival_when = arrival.when if arrival else None
    if isinstance(arrival_when, PartialDate) and departure and isinstance(departure.when, PartialDate):
        arrival_when = _borrow(arrival_when, departure.when)
    check_in = _place(arrival_when, reference, reference, False) if arrival_when is not None else None
    check_out = None
    if departure is not None:
        check_out = _place(departure.when, check_in or reference, reference, True)
        # A night said as the end ("tonight and tomorrow night") is the last night slept.
        if check_out is not None and departure.default_nights:
            check_out += timedelta(days=1)
    if check_in is None or check_out is None:
        return check_in, check_out
    if check_out <= check_in:
        return check_in, None
    # "el 14 y 15" / "Friday the 18th and Saturday the 19th": two nights listed, not a range.
    if departure is not None and departure.role == "and" and arrival is not None and arrival.role is None:
        if not isinstance(arrival.when, WeekdayRef) and check_out == check_in + timedelta(days=1):
            check_out += timedelta(days=1)
    return check_in, check_out


def _plausible(check_in: date | None, check_out: date | None) -> bool:
    return check_in is not None and check_out is not None and 0 < (check_out - check_in).days <= 31


def extract_stay(text: str, language: str, reference: date) -> StayDates:
    """The stay dates in ``text`` (``language`` "es" or "en"), placed from ``reference``.

    Fills check-out from check-in and nights, nights from both dates, and check-in from
    check-out and nights; a stated length wins over the default of a weekend or "tonight".
    Dates that are not stay dates (times, prices, phones, references, ages, room numbers)
    are ignored. Everything is None when the message gives no dates.
    """
    normalised = mask_noise(normalise(text, language))
    nights, masked = take_nights(normalised)
    masked = mask_party_numbers(masked)
    arrival, departure = _pair(_without_occasions(find_mentions(masked, language, reference), masked))
    check_in, check_out = _dates(arrival, departure, reference)
    if language == "en" and not _plausible(check_in, check_out) and has_numeric_dates(masked):
        # "arriving 4/2, leaving 4/5" is a three-night stay in April, not three months from
        # February: English numeric dates that only make a stay month/day are read so.
        us_mentions = find_mentions(masked, language, reference, month_first=True)
        us_arrival, us_departure = _pair(_without_occasions(us_mentions, masked))
        us_dates = _dates(us_arrival, us_departure, reference)
        if _plausible(*us_dates):
            arrival, departure = us_arrival, us_departure
            check_in, check_out = us_dates
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
