"""Dates, stays and money written the way a guest of each language reads them (Babel).

``format_money(Decimal("1250"), "USD", "es")`` → ``1.250,00 USD``; in English
``USD 1,250.00``. ``format_stay(12 Dec, 15 Dec, "es")`` → ``del 12 al 15 de diciembre, 3
noches``; in English ``December 12–15, 3 nights``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

_LOCALES = {"es": "es_ES", "en": "en_US"}


def format_money(amount: Decimal, currency: str, language: str) -> str:
    number = format_decimal(amount, format="#,##0.00", locale=_LOCALES[language])
    return f"{number} {currency}" if language == "es" else f"{currency} {number}"


def format_day(day: date, language: str) -> str:
    """``12 de diciembre`` / ``December 12``."""
    pattern = "d 'de' MMMM" if language == "es" else "MMMM d"
    return str(format_date(day, pattern, locale=_LOCALES[language]))


def format_dates(check_in: date, check_out: date, language: str) -> str:
    """The stay's arrival and departure days, without the nights."""
    if language == "es":
        if (check_in.year, check_in.month) == (check_out.year, check_out.month):
            return f"del {check_in.day} al {format_day(check_out, 'es')}"
        return f"del {format_day(check_in, 'es')} al {format_day(check_out, 'es')}"
    if (check_in.year, check_in.month) == (check_out.year, check_out.month):
        return f"{format_day(check_in, 'en')}–{check_out.day}"
    return f"{format_day(check_in, 'en')} – {format_day(check_out, 'en')}"


def nights_text(nights: int, language: str) -> str:
    if language == "es":
        return f"{nights} noche" if nights == 1 else f"{nights} noches"
    return f"{nights} night" if nights == 1 else f"{nights} nights"


def format_stay(check_in: date, check_out: date, language: str) -> str:
    return f"{format_dates(check_in, check_out, language)}, {nights_text((check_out - check_in).days, language)}"


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
