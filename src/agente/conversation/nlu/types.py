"""What the NLU hands to the dialogue: language, intent with confidence, entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

LANGUAGES = ("es", "en")


class IntentName(StrEnum):
    """What a guest wants; stored and reported by its value (``"book_room"``)."""

    GREET = "greet"
    GOODBYE = "goodbye"
    THANKS = "thanks"
    AFFIRM = "affirm"
    DENY = "deny"
    CHECK_AVAILABILITY = "check_availability"
    BOOK_ROOM = "book_room"
    MODIFY_BOOKING = "modify_booking"
    CANCEL_BOOKING = "cancel_booking"
    BOOKING_STATUS = "booking_status"
    FAQ = "faq"
    HUMAN_HANDOFF = "human_handoff"
    # The guest gives details that were asked for (dates, a name, a room).
    INFORM = "inform"
    OUT_OF_SCOPE = "out_of_scope"


INTENTS = tuple(intent.value for intent in IntentName)

TOPICS = (
    "check_in_out",
    "parking",
    "wifi",
    "pets",
    "breakfast",
    "location",
    "amenities",
    "payment",
    "cancellation_policy",
    "contact",
)


@dataclass(frozen=True, slots=True)
class Intent:
    name: IntentName
    confidence: float


@dataclass(frozen=True, slots=True)
class StayDates:
    """Dates found in a message. ``check_out`` is the departure day (nights = check_out - check_in).

    Either end may be missing ("from the 12th" gives only ``check_in``; "for 3 nights" only
    ``nights``). ``in_past`` is true when the stay found starts before the reference date.
    """

    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    in_past: bool = False


@dataclass(frozen=True, slots=True)
class Party:
    adults: int | None = None
    children: int | None = None
    rooms: int | None = None


@dataclass(frozen=True, slots=True)
class RoomTypeMention:
    mention: str
    room_type_id: int | None
    score: float


@dataclass(frozen=True, slots=True)
class Entities:
    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    dates_in_past: bool = False
    adults: int | None = None
    children: int | None = None
    rooms: int | None = None
    room_type: RoomTypeMention | None = None
    booking_ref: str | None = None
    guest_name: str | None = None
    email: str | None = None
    phone: str | None = None
    topic: str | None = None
    # Every topic asked about, in the guest's order ("breakfast and check-out?"), and the
    # particular things asked within a topic that lists many ("spa", "pool").
    topics: tuple[str, ...] = ()
    topic_items: tuple[str, ...] = ()
    # A question no hotel fact answers ("weather", "nearby", "arrange"), and a question about
    # what the stay costs altogether.
    off_topic: str | None = None
    asks_total: bool = False


@dataclass(frozen=True, slots=True)
class ParseResult:
    language: str
    intent: Intent
    entities: Entities = field(default_factory=Entities)
