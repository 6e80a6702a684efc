"""A whole conversation against a real QloApps 1.6.1: a guest asks a price and books.

The service runs embedded with ``PMS_TYPE=qloapps`` pointing at the session's real QloApps
(``tests/qloapps/server.py``). The conversation runs once for the module; each test checks one
thing a guest or the hotel would see, against QloApps' own order read through its webservice.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from agente.container import build_container
from agente.conversation.replies.format import format_money
from agente.pms.types import StayQuery
from agente.storage.repositories.bookings import StoredBooking
from tests.conftest import embedded_settings
from tests.qloapps.server import QloApps

pytestmark = pytest.mark.qloapps

TODAY = date.today()
# Its own stay and guest: other tests book on the same QloApps.
CHECK_IN = TODAY + timedelta(days=55)
CHECK_OUT = CHECK_IN + timedelta(days=2)
EMAIL = "grace.hopper@example.com"
EXECUTIVE = 3
_REFERENCE = re.compile(r"\bAH[A-Z0-9]{6}\b")


def _day(day: date) -> str:
    return f"{day:%B} {day.day}"


@dataclass
class Booked:
    """What the conversation left: its replies, the states after each, the stored booking, and
    QloApps' own order (``orders/{id}``), booking (``bookings/{id}``) and availability quote."""

    replies: list[str]
    states: list[str]
    offers: dict[int, Decimal]
    fees: Decimal
    stored: StoredBooking | None
    order: dict[str, Any]
    booking: dict[str, Any]
    customer_orders: list[int]


def _get(real: QloApps, path: str, **params: str) -> Any:
    answer = httpx.get(
        f"{real.base_url}/api/{path}", params={"output_format": "JSON", **params}, auth=(real.api_key, ""), timeout=60
    )
    answer.raise_for_status()
    return answer.json()


async def _converse(real: QloApps, settings_dir: Any) -> Booked:
    settings = embedded_settings(settings_dir, **real.pms_settings())
    steps = (
        f"how much for 2 adults from {_day(CHECK_IN)} to {_day(CHECK_OUT)}?",
        "executive please",
        f"name's Grace Hopper, {EMAIL}, +1 212 555 0188",
        "confirm",
    )
    replies: list[str] = []
    states: list[str] = []
    async with build_container(settings) as container:
        await container.facts.seed_if_empty()
        for text in steps:
            reply = await container.conversations.handle(
                channel="web", external_id="guest-real-qloapps", text=text, today=TODAY
            )
            replies.append(reply.text)
            state = await container.conversations.store.state(reply.session_id)
            states.append(state.step if state is not None else "none")
        answer = await container.pms.inner.availability(StayQuery(CHECK_IN, CHECK_OUT, adults=2))
        offers = {offer.room_type_id: offer.total_price for offer in answer.offers}
        fees = sum((fee.amount for fee in answer.offers[0].fees), Decimal(0)) if answer.offers else Decimal(0)
        stored = None
        if found := _REFERENCE.search(replies[-1]):
            async with container.storage.begin() as uow:
                stored = await uow.bookings.by_reference(found.group())
    order: dict[str, Any] = {}
    booking: dict[str, Any] = {}
    if stored is not None and stored.pms_booking_id:
        order = _get(real, f"orders/{stored.pms_booking_id}")["order"]
        booking = _get(real, f"bookings/{stored.pms_booking_id}")["booking"]
    customers = _get(real, "customers", **{"filter[email]": EMAIL})
    customer_orders: list[int] = []
    for customer in customers["customers"] if customers else []:
        listed = _get(real, "orders", **{"filter[id_customer]": str(customer["id"])})
        customer_orders += [int(entry["id"]) for entry in (listed["orders"] if listed else [])]
    return Booked(replies, states, offers, fees, stored, order, booking, customer_orders)


@pytest.fixture(scope="module")
def booked(qloapps: QloApps, tmp_path_factory: pytest.TempPathFactory) -> Booked:
    # Its own event loop: the conversation runs once, and the tests read plain data.
    return asyncio.run(_converse(qloapps, tmp_path_factory.mktemp("real-qloapps")))


def test_the_quote_is_what_hotel_ari_quotes(booked: Booked) -> None:
    quote = booked.replies[0]
    assert booked.states[0] == "choose_room", quote
    assert set(booked.offers) == {1, 2, 3, 4}
    for total in booked.offers.values():
        assert format_money(total, "USD", "en") in quote, quote


def test_the_guest_books_and_qloapps_holds_the_order(booked: Booked) -> None:
    assert booked.states == ["choose_room", "ask_guest", "confirm_booking", "idle"], booked.replies
    stored = booked.stored
    assert stored is not None, f"no reference in {booked.replies[-1]!r}"
    assert stored.status == "confirmed" and stored.pms_booking_id
    assert (stored.room_type_id, stored.check_in, stored.check_out) == (EXECUTIVE, CHECK_IN, CHECK_OUT)
    # Exactly one order for the guest: booking made once, nothing duplicated.
    assert booked.customer_orders == [int(stored.pms_booking_id)]
    assert int(booked.order["current_state"]) in (1, 2, 3)  # awaiting payment at the hotel, or paid
    assert booked.order["source"] == "agente"
    details = booked.booking["associations"]
    assert details["customer_detail"]["email"] == EMAIL
    assert (details["customer_detail"]["firstname"], details["customer_detail"]["lastname"]) == ("Grace", "Hopper")
    [room_type] = details["room_types"]
    assert int(room_type["id_room_type"]) == EXECUTIVE
    assert room_type["checkin_date"].startswith(CHECK_IN.isoformat())
    assert room_type["checkout_date"].startswith(CHECK_OUT.isoformat())
    [room] = room_type["rooms"]
    assert (int(room["adults"]), int(room["child"])) == (2, 0)


@pytest.mark.xfail(
    strict=True,
    reason="issue 16: the totals told at the summary and the confirmation leave out the "
    "'Internet Handling Charges' QloApps adds to every order",
)
def test_the_total_told_is_what_qloapps_charges(booked: Booked) -> None:
    charged = format_money(Decimal(booked.order["total_paid_tax_incl"]), "USD", "en")
    assert charged in booked.replies[2], booked.replies[2]
    assert charged in booked.replies[3], booked.replies[3]


@pytest.mark.xfail(
    strict=True,
    reason="issue 16: the stored total is price_details.total_paid (the amount paid, 0.00) "
    "instead of the QloApps order's total",
)
def test_the_stored_total_is_qloapps_order_total(booked: Booked) -> None:
    assert booked.stored is not None
    assert booked.stored.total_price == Decimal(booked.order["total_paid_tax_incl"])


def test_qloapps_order_total_is_the_quote_plus_its_fees(booked: Booked) -> None:
    # What QloApps charges: the hotel_ari total the guest was quoted plus the per-booking fees.
    assert Decimal(booked.order["total_paid_tax_incl"]) == booked.offers[EXECUTIVE] + booked.fees
