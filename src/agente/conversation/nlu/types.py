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
class NoSuchDay:
    """A day the calendar does not have, as the guest said it: "30 de febrero" (day 30, month 2),
    "del 30 al 32" (day 32, no month), or the 29th of a February without one (``year`` set)."""

    day: int
    month: int | None = None
    year: int | None = None


@dataclass(frozen=True, slots=True)
class StayDates:
    """Dates found in a message. ``check_out`` is the departure day (nights = check_out - check_in).

    Either end may be missing ("from the 12th" gives only ``check_in``; "for 3 nights" only
    ``nights``). ``in_past`` is true when the stay found starts before the reference date.

    Two readings are not a stay and say why instead: ``no_such_day`` is a stay date the
    calendar does not have (the other end, when valid, is kept in its own role), and
    ``reversed_stay`` is the stay read the right way round when the departure said comes
    before the arrival ("del 5 al 3 de enero" -> 3 to 5 January); both ends are None then.
    """

    check_in: date | None = None
    check_out: date | None = None
    nights: int | None = None
    in_past: bool = False
    no_such_day: NoSuchDay | None = None
    reversed_stay: tuple[date, date] | None = None


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
    # See StayDates: a stay date that does not exist, and a stay said the wrong way round.
    no_such_day: NoSuchDay | None = None
    reversed_stay: tuple[date, date] | None = None
    adults: int | None = None
    children: int | None = None
    rooms: int | None = None
    room_type: RoomTypeMention | None = None
    booking_ref: str | None = None
    guest_name: str | None = None
    email: str | None = None
    # E.164 ("+34612345678"); a number written without country code that the hotel's country
    # cannot hold stays its digits, without "+" ("612345678"): the guest is asked its country.
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
