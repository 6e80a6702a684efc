"""Whole conversations against a real QloApps 1.6.1: a family asks a price, books, asks the
status, changes the dates and cancels.

The service runs embedded with ``PMS_TYPE=qloapps`` pointing at the session's real QloApps
(``tests/qloapps/server.py``). The conversation runs once for the module; each test checks one
thing a guest or the hotel would see, against QloApps' own order read through its webservice
(``orders/{id}``, ``bookings/{id}``) after each step that writes.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
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
CHECK_OUT = CHECK_IN + timedelta(days=3)
NEW_CHECK_OUT = CHECK_OUT + timedelta(days=1)
EMAIL = "grace.hopper@example.com"
DELUX = 2
_REFERENCE = re.compile(r"\bAH[A-Z0-9]{6}\b")


def _day(day: date) -> str:
    return f"{day:%B} {day.day}"


@dataclass
class Snapshot:
    """QloApps' own view of the order after a step: ``orders/{id}`` and ``bookings/{id}``."""

    order: dict[str, Any]
    booking: dict[str, Any]

    @property
    def total(self) -> Decimal:
        return Decimal(self.order["total_paid_tax_incl"])

    @property
    def room_type(self) -> dict[str, Any]:
        [room_type] = self.booking["associations"]["room_types"]
        return dict(room_type)


@dataclass
class Conversation:
    """What the conversation left: each reply and the dialogue step after it, the quote
    ``hotel_ari`` gives for the stay, the stored booking, and QloApps' order after booking,
    after the change and after the cancellation."""

    replies: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    offers: dict[int, Decimal] = field(default_factory=dict)
    fees: Decimal = Decimal(0)
    reference: str | None = None
    stored: StoredBooking | None = None
    booked: Snapshot | None = None
    changed: Snapshot | None = None
    cancelled: Snapshot | None = None
    customer_orders: list[int] = field(default_factory=list)

    def reply(self, part: tuple[str, ...], number: int) -> str:
        """The reply to ``part[number]`` (``number`` -1 for the part's last message)."""
        return self.replies[_offset(part) + number % len(part)]

    def steps_of(self, part: tuple[str, ...]) -> list[str]:
        return self.steps[_offset(part) : _offset(part) + len(part)]


BOOK = (
    f"we are 2 adults and 1 child, {_day(CHECK_IN)} to {_day(CHECK_OUT)}, how much?",
    "delux please",
    f"Grace Hopper, {EMAIL}, +1 212 555 0188",
    "yes",
)
STATUS = ("what's the status of my booking?", "{reference} " + EMAIL)
CHANGE = (
    f"can I change my booking to check out on {_day(NEW_CHECK_OUT)}?",
    "{reference} " + EMAIL,
    # "the dates" is not understood at this step yet; the new dates are.
    f"{_day(CHECK_IN)} to {_day(NEW_CHECK_OUT)}",
    "yes",
)
CANCEL = ("i need to cancel my booking", "booking ref {reference}, email " + EMAIL, "yes")
PARTS = (BOOK, STATUS, CHANGE, CANCEL)


def _offset(part: tuple[str, ...]) -> int:
    return sum(len(earlier) for earlier in PARTS[: PARTS.index(part)])


def _get(real: QloApps, path: str, **params: str) -> Any:
    answer = httpx.get(
        f"{real.base_url}/api/{path}", params={"output_format": "JSON", **params}, auth=(real.api_key, ""), timeout=60
    )
    answer.raise_for_status()
    return answer.json()


def _snapshot(real: QloApps, order_id: str) -> Snapshot:
    return Snapshot(_get(real, f"orders/{order_id}")["order"], _get(real, f"bookings/{order_id}")["booking"])


async def _converse(real: QloApps, data_dir: Path) -> Conversation:
    settings = embedded_settings(data_dir, **real.pms_settings())
    seen = Conversation()
    async with build_container(settings) as container:
        await container.facts.seed_if_empty()

        async def say(texts: tuple[str, ...]) -> None:
            for text in texts:
                reply = await container.conversations.handle(
                    channel="web",
                    external_id="guest-real-qloapps",
                    text=text.format(reference=seen.reference),
                    today=TODAY,
                )
                seen.replies.append(reply.text)
                state = await container.conversations.store.state(reply.session_id)
                seen.steps.append(state.step if state is not None else "none")

        await say(BOOK)
        answer = await container.pms.inner.availability(StayQuery(CHECK_IN, CHECK_OUT, adults=2, children=1))
        seen.offers = {offer.room_type_id: offer.total_price for offer in answer.offers}
        seen.fees = sum((fee.amount for fee in answer.offers[0].fees), Decimal(0)) if answer.offers else Decimal(0)
        found = _REFERENCE.search(seen.replies[-1])
        if found is None:
            return seen  # the tests say what went wrong
        seen.reference = found.group()
        async with container.storage.begin() as uow:
            seen.stored = await uow.bookings.by_reference(seen.reference)
        if seen.stored is None or not seen.stored.pms_booking_id:
            return seen
        order_id = seen.stored.pms_booking_id
        seen.booked = _snapshot(real, order_id)
        await say(STATUS)
        await say(CHANGE)
        seen.changed = _snapshot(real, order_id)
        await say(CANCEL)
        seen.cancelled = _snapshot(real, order_id)
    customers = _get(real, "customers", **{"filter[email]": EMAIL})
    for customer in customers["customers"] if customers else []:
        listed = _get(real, "orders", **{"filter[id_customer]": str(customer["id"])})
        seen.customer_orders += [int(entry["id"]) for entry in (listed["orders"] if listed else [])]
    return seen


@pytest.fixture(scope="module")
def convo(qloapps: QloApps, tmp_path_factory: pytest.TempPathFactory) -> Conversation:
    # Its own event loop: the conversation runs once, and the tests read plain data.
    return asyncio.run(_converse(qloapps, tmp_path_factory.mktemp("real-qloapps")))


def test_the_quote_is_what_hotel_ari_quotes(convo: Conversation) -> None:
    quote = convo.replies[0]
    assert convo.steps[0] == "choose_room", quote
    assert set(convo.offers) == {1, 2, 3, 4}
    for total in convo.offers.values():
        assert format_money(total, "USD", "en") in quote, quote


def test_the_family_books_and_qloapps_holds_the_order(convo: Conversation) -> None:
    assert convo.steps_of(BOOK) == ["choose_room", "ask_guest", "confirm_booking", "idle"], convo.replies
    stored, booked = convo.stored, convo.booked
    assert stored is not None and booked is not None, f"no booking after {convo.reply(BOOK, -1)!r}"
    assert stored.status in ("confirmed", "cancelled") and stored.pms_booking_id
    assert (stored.room_type_id, stored.adults, stored.children) == (DELUX, 2, 1)
    # Exactly one order for the guest: booked once, nothing duplicated by the later steps.
    assert convo.customer_orders == [int(stored.pms_booking_id)]
    assert int(booked.order["current_state"]) in (1, 2, 3)  # awaiting payment at the hotel, or paid
    assert booked.order["source"] == "agente"
    guest = booked.booking["associations"]["customer_detail"]
    assert (guest["firstname"], guest["lastname"], guest["email"]) == ("Grace", "Hopper", EMAIL)
    room_type = booked.room_type
    assert int(room_type["id_room_type"]) == DELUX
    assert room_type["checkin_date"].startswith(CHECK_IN.isoformat())
    assert room_type["checkout_date"].startswith(CHECK_OUT.isoformat())
    [room] = room_type["rooms"]
    assert int(room["adults"]) == 2


def test_qloapps_books_the_children(convo: Conversation) -> None:
    assert convo.booked is not None
    [room] = convo.booked.room_type["rooms"]
    assert int(room["child"]) == 1


def test_qloapps_charges_the_quote_plus_its_fees(convo: Conversation) -> None:
    assert convo.booked is not None
    assert convo.booked.total == convo.offers[DELUX] + convo.fees


def test_the_total_told_is_what_qloapps_charges(convo: Conversation) -> None:
    assert convo.booked is not None
    charged = format_money(convo.booked.total, "USD", "en")
    assert charged in convo.reply(BOOK, 2)
    assert charged in convo.reply(BOOK, 3)


def test_the_stored_total_is_qloapps_order_total(convo: Conversation) -> None:
    assert convo.stored is not None and convo.booked is not None
    assert convo.stored.total_price == convo.booked.total


def test_the_status_is_told_from_qloapps(convo: Conversation) -> None:
    reply = convo.reply(STATUS, 1)
    assert convo.reference is not None and convo.reference in reply
    assert "Delux Rooms" in reply and "confirmed" in reply


def test_the_change_moves_the_stay_in_qloapps(convo: Conversation) -> None:
    assert convo.changed is not None and convo.booked is not None
    assert convo.steps_of(CHANGE)[-1] == "idle", convo.replies
    room_type = convo.changed.room_type
    assert room_type["checkin_date"].startswith(CHECK_IN.isoformat())
    assert room_type["checkout_date"].startswith(NEW_CHECK_OUT.isoformat())
    assert convo.changed.total > convo.booked.total


def test_the_total_told_after_the_change_is_what_qloapps_charges(convo: Conversation) -> None:
    assert convo.changed is not None
    assert format_money(convo.changed.total, "USD", "en") in convo.reply(CHANGE, -1)


def test_the_cancellation_cancels_the_qloapps_order(convo: Conversation) -> None:
    assert convo.cancelled is not None and convo.reference is not None
    assert "cancelled" in convo.reply(CANCEL, -1)
    assert int(convo.cancelled.order["current_state"]) == 4
