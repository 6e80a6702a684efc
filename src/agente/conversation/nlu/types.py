"""What the NLU hands to the dialogue: language, intent with confidence, entities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

LANGUAGES = ("es", "en")

INTENTS = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "check_availability",
    "book_room",
    "modify_booking",
    "cancel_booking",
    "booking_status",
    "faq",
    "human_handoff",
    "inform",
    "out_of_scope",
)

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
    name: str
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


@dataclass(frozen=True, slots=True)
class ParseResult:
    language: str
    intent: Intent
    entities: Entities = field(default_factory=Entities)
