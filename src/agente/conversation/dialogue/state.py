"""The dialogue state kept in the ``sessions`` row: the step and the slots.

::

    idle ──availability/book──▶ ask_stay ──dates+party──▶ choose_room ──room──▶ ask_guest
      ▲                            ▲                           │                    │
      │                            └──── corrections ──────────┘          name+email+phone
      │                                                                             ▼
      ├──────────────── yes: booked / no: dropped ◀──────────────────── confirm_booking
      │
      ├── modify / cancel / status ──▶ verify (reference + email or phone)
      │        ├─ status: answered ─────────────────────────────────────────────▶ idle
      │        ├─ cancel ──▶ confirm_cancel ──yes/no──────────────────────────────▶ idle
      │        └─ modify ──▶ modify_what ──new stay──▶ confirm_modify ──yes/no─────▶ idle
      │
      └── (any step) a question beside the flow (the total, the hotel's facts, what the agent
          cannot do): answered, then the pending question is asked again; a question without
          an answer at idle ──▶ offer_person ──yes: handoff / no / anything else: idle;
          handoff: the session belongs to staff until released.

The dialogue treats :class:`Slots` as a value: a handler returns a changed copy
(``dataclasses.replace``) and never changes the slots it was given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    IDLE = "idle"
    ASK_STAY = "ask_stay"
    CHOOSE_ROOM = "choose_room"
    ASK_GUEST = "ask_guest"
    CONFIRM_BOOKING = "confirm_booking"
    VERIFY = "verify"
    MODIFY_WHAT = "modify_what"
    CONFIRM_MODIFY = "confirm_modify"
    CONFIRM_CANCEL = "confirm_cancel"
    # A question had no answer and the agent asked whether to pass the guest to reception.
    OFFER_PERSON = "offer_person"


class SessionStatus(StrEnum):
    """Who answers a session; stored in ``sessions.status``."""

    BOT = "bot"
    # Staff own the conversation: the bot stays silent until it is released.
    HANDOFF = "handoff"


class Goal(StrEnum):
    """What the guest is after (``Slots.goal``)."""

    QUOTE = "quote"
    BOOK = "book"
    MODIFY = "modify"
    CANCEL = "cancel"
    STATUS = "status"


@dataclass(frozen=True)
class QuotedRoom:
    room_type_id: int
    name: str
    nightly: str  # Decimal as text: the PMS's figure, never recomputed
    total: str
    available: int | None
    fees: list[dict[str, str]] = field(default_factory=list)
    # What one room takes, so the guest can choose "the biggest" or "the one for 4"
    # (None in sessions stored before it was kept).
    max_adults: int | None = None
    max_children: int | None = None

    def charged(self) -> Decimal:
        """What the PMS charges for this room: its total and every fee the PMS adds, the
        PMS's own figures summed as it sums them."""
        return Decimal(self.total) + sum((Decimal(fee["amount"]) for fee in self.fees), Decimal(0))


@dataclass
class Slots:
    goal: Goal | None = None
    check_in: str | None = None
    check_out: str | None = None
    adults: int | None = None
    children: int | None = None
    rooms: int | None = None
    # The stay offered back when the guest's departure came before the arrival ("did you
    # mean 3 to 5 January?"): a yes takes it.
    proposed_check_in: str | None = None
    proposed_check_out: str | None = None
    room_type_id: int | None = None
    quote: list[QuotedRoom] = field(default_factory=list)
    quote_currency: str | None = None
    quote_stale: bool = False
    guest_name: str | None = None
    email: str | None = None
    phone: str | None = None
    # The guest was asked which country a phone without country code is from (asked once).
    phone_country_asked: bool = False
    booking_ref: str | None = None
    # References this session has proved to be the guest's: each is verified once per session.
    verified_refs: list[str] = field(default_factory=list)
    misunderstood: int = 0
    failed_verifications: int = 0
    # Bumped when the guest starts a new booking, so its idempotency key differs from the last one's.
    attempt: int = 0
    last_reference: str | None = None
    # Why staff own the conversation (while the session's status is "handoff").
    handoff_reason: str | None = None

    @property
    def stay(self) -> tuple[date, date] | None:
        if self.check_in and self.check_out:
            return date.fromisoformat(self.check_in), date.fromisoformat(self.check_out)
        return None

    @property
    def verified(self) -> bool:
        """The booking under discussion is the guest's (proved in this session)."""
        return self.booking_ref is not None and self.booking_ref in self.verified_refs

    def chosen(self) -> QuotedRoom | None:
        return next((q for q in self.quote if q.room_type_id == self.room_type_id), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Slots:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["quote"] = [QuotedRoom(**q) for q in known.get("quote", [])]
        if known.get("goal") is not None:
            known["goal"] = Goal(known["goal"])
        return cls(**known)

    def without_booking(self) -> Slots:
        """A clean slate for the next request (the guest's details and the counters are kept)."""
        return replace(
            self,
            goal=None,
            check_in=None,
            check_out=None,
            adults=None,
            children=None,
            rooms=None,
            proposed_check_in=None,
            proposed_check_out=None,
            room_type_id=None,
            quote=[],
            quote_currency=None,
            quote_stale=False,
            booking_ref=None,
        )
