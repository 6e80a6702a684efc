"""What a guest types to ask for a stay, with dates a few weeks ahead of the hotel's today."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

HOTEL_TIMEZONE = "America/New_York"  # Settings.hotel_timezone's default


def stay_dates(days_ahead: int, nights: int) -> tuple[date, date]:
    check_in = datetime.now(ZoneInfo(HOTEL_TIMEZONE)).date() + timedelta(days=days_ahead)
    return check_in, check_in + timedelta(days=nights)


def ask_for_stay(days_ahead: int, nights: int = 3, adults: int = 2) -> str:
    """``"Do you have a room for 2 adults from December 13 to December 16?"``"""
    check_in, check_out = stay_dates(days_ahead, nights)
    return (
        f"Do you have a room for {adults} adults from {check_in:%B} {check_in.day} to {check_out:%B} {check_out.day}?"
    )
