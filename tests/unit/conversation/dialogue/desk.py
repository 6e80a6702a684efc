"""The dialogue over in-memory parts: the fake PMS, the in-memory storage, real flags and metrics.

A :class:`Desk` keeps one guest's step and slots and moves them on with each message, as the
conversation service would. Messages are given as the NLU would hand them over (intent,
confidence, entities), so a test says exactly what was understood.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import fakeredis

from agente.conversation.dialogue.engine import decide
from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.dialogue.turn import Deps, Message, Outcome
from agente.conversation.facts import HotelFacts
from agente.conversation.nlu.types import Entities, Intent, IntentName, ParseResult, RoomTypeMention
from agente.conversation.replies.render import render
from agente.observability.metrics import Metrics
from agente.ops.flags import FeatureFlags
from agente.pms.types import BookingRequest, GuestDetails, StayQuery
from agente.reservations.service import Reservations
from agente.storage.redis import RedisStore
from agente.storage.repositories.bookings import StoredBooking
from agente.storage.unit_of_work import MemoryStorage
from tests.fakes.pms import HOTEL, FakePms

THRESHOLD = 0.5
TODAY = date(2030, 5, 2)
ARRIVAL, DEPARTURE = date(2030, 6, 10), date(2030, 6, 13)


def room(room_type_id: int, mention: str = "room") -> RoomTypeMention:
    return RoomTypeMention(mention, room_type_id, 0.9)


def en(key: str, **values: object) -> str:
    """What the guest reads for the reply ``key``, in English."""
    return render(key, "en", **values)


class Desk:
    def __init__(self) -> None:
        self.pms = FakePms()
        self.storage = MemoryStorage()
        self.flags = FeatureFlags(
            RedisStore(fakeredis.FakeAsyncRedis(decode_responses=True), embedded=True), refresh_seconds=0
        )
        self.metrics = Metrics()
        self.facts = HotelFacts(self.storage)
        self.reservations = Reservations(self.storage, self.pms, self.flags, self.metrics)
        self.deps = Deps(pms=self.pms, reservations=self.reservations, facts=self.facts, metrics=self.metrics)
        self.session_id = uuid.uuid4()
        self.step = Step.IDLE
        self.slots = Slots()

    async def send(
        self,
        text: str,
        intent: IntentName = IntentName.INFORM,
        *,
        confidence: float = 0.9,
        language: str = "en",
        **entities: Any,
    ) -> Outcome:
        """One message at the desk's step and slots; the desk moves on to the outcome's."""
        parse = ParseResult(language, Intent(intent, confidence), Entities(**entities))
        msg = Message(
            self.session_id, text, language, parse, TODAY, self.step, HOTEL.name, confident=confidence >= THRESHOLD
        )
        outcome = await decide(msg, self.slots, self.deps)
        self.step, self.slots = outcome.step, outcome.slots
        return outcome

    async def quoted(self, adults: int = 2) -> Outcome:
        """Ask for the stay of the tests (June 10 to 13, 2030) and get its quote."""
        return await self.send(
            f"a room for {adults} from June 10 to 13",
            IntentName.CHECK_AVAILABILITY,
            check_in=ARRIVAL,
            check_out=DEPARTURE,
            adults=adults,
        )

    async def at_summary(self) -> Outcome:
        """Quote, choose the first room, give every detail: the summary waits for a yes."""
        await self.quoted()
        await self.send("1")
        return await self.send(
            "Ana Garcia, ana@example.com, +34 600 111 222",
            guest_name="Ana Garcia",
            email="ana@example.com",
            phone="+34 600 111 222",
        )

    async def booked(self, email: str = "ana@example.com") -> StoredBooking:
        """A confirmed booking (Standard Double, June 10 to 13, two adults) made outside the chat."""
        request = BookingRequest(
            StayQuery(ARRIVAL, DEPARTURE, adults=2),
            1,
            GuestDetails("Ana", "Garcia", email, "+34600111222"),
            idempotency_key=str(uuid.uuid4()),
        )
        return await self.reservations.reserve(request)

    async def stored(self, reference: str) -> StoredBooking:
        async with self.storage.begin() as uow:
            booking = await uow.bookings.by_reference(reference)
        assert booking is not None
        return booking
