"""Dates, stays and money written the way a guest of each language reads them (Babel).

``format_money(Decimal("1250"), "USD", "es")`` → ``1.250,00 USD``; in English
``USD 1,250.00``. ``format_stay(12 Dec, 15 Dec, "es")`` → ``del 12 al 15 de diciembre, 3
noches``; in English ``December 12–15, 3 nights``. Given ``today``, a stay that is not all in
today's year says its year: ``del 5 al 8 de enero de 2027``, ``January 5–8, 2027``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

_LOCALES = {"es": "es_ES", "en": "en_US"}


def format_money(amount: Decimal, currency: str, language: str) -> str:
    number = format_decimal(amount, format="#,##0.00", locale=_LOCALES[language])
    return f"{number} {currency}" if language == "es" else f"{currency} {number}"


def format_day(day: date, language: str, today: date | None = None) -> str:
    """``12 de diciembre`` / ``December 12``; with its year when ``today`` is in another one."""
    return _day(day, language, with_year=today is not None and day.year != today.year)


def _day(day: date, language: str, with_year: bool) -> str:
    if language == "es":
        pattern = "d 'de' MMMM 'de' y" if with_year else "d 'de' MMMM"
    else:
        pattern = "MMMM d, y" if with_year else "MMMM d"
    return str(format_date(day, pattern, locale=_LOCALES[language]))


def format_calendar_day(day: int, month: int | None, year: int | None, language: str) -> str:
    """A day that may not exist, as the guest said it: ``30 de febrero``, ``February 30``,
    ``día 32`` / ``day 32`` (Babel cannot format a date the calendar does not have)."""
    if month is None:
        return f"día {day}" if language == "es" else f"day {day}"
    name = str(get_month_names("wide", locale=_LOCALES[language])[month])
    if language == "es":
        return f"{day} de {name}" + (f" de {year}" if year else "")
    return f"{name} {day}" + (f", {year}" if year else "")


def format_dates(check_in: date, check_out: date, language: str, today: date | None = None) -> str:
    """The stay's arrival and departure days, without the nights.

    Given ``today``, a stay not all in today's year says its year, once at the end ("del 5 al
    8 de enero de 2027", "del 30 de diciembre al 2 de enero de 2027"), and for both days when
    the first is not in today's year either."""
    year_said = today is not None and (check_in.year != today.year or check_out.year != today.year)
    first_year_said = year_said and today is not None and check_in.year not in (check_out.year, today.year)
    same_month = (check_in.year, check_in.month) == (check_out.year, check_out.month)
    last = _day(check_out, language, year_said)
    if language == "es":
        if same_month:
            return f"del {check_in.day} al {last}"
        return f"del {_day(check_in, 'es', first_year_said)} al {last}"
    if same_month:
        month = str(format_date(check_in, "MMMM", locale=_LOCALES["en"]))
        return f"{month} {check_in.day}–{check_out.day}" + (f", {check_out.year}" if year_said else "")
    return f"{_day(check_in, 'en', first_year_said)} – {last}"


def nights_text(nights: int, language: str) -> str:
    if language == "es":
        return f"{nights} noche" if nights == 1 else f"{nights} noches"
    return f"{nights} night" if nights == 1 else f"{nights} nights"


def format_stay(check_in: date, check_out: date, language: str, today: date | None = None) -> str:
    nights = nights_text((check_out - check_in).days, language)
    return f"{format_dates(check_in, check_out, language, today)}, {nights}"


def party_text(adults: int, children: int, rooms: int, language: str) -> str:
    if language == "es":
        parts = [f"{adults} adulto" + ("s" if adults != 1 else "")]
        if children:
            parts.append(f"{children} niño" + ("s" if children != 1 else ""))
        text = " y ".join(parts)
        return text + (f", {rooms} habitaciones" if rooms > 1 else "")
    parts = [f"{adults} adult" + ("s" if adults != 1 else "")]
    if children:
        parts.append(f"{children} child" + ("ren" if children != 1 else ""))
    text = " and ".join(parts)
    return text + (f", {rooms} rooms" if rooms > 1 else "")
