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
      └── (any step) faq: answered, then the pending question is asked again;
          handoff: the session belongs to staff until released.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
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


@dataclass
class QuotedRoom:
    room_type_id: int
    name: str
    nightly: str  # Decimal as text: the PMS's figure, never recomputed
    total: str
    available: int | None
    fees: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Slots:
    goal: str | None = None  # "book", "modify", "cancel", "status"
    check_in: str | None = None
    check_out: str | None = None
    adults: int | None = None
    children: int | None = None
    rooms: int | None = None
    room_type_id: int | None = None
    quote: list[QuotedRoom] = field(default_factory=list)
    quote_currency: str | None = None
    quote_stale: bool = False
    guest_name: str | None = None
    email: str | None = None
    phone: str | None = None
    booking_ref: str | None = None
    verified: bool = False
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
        return cls(**known)

    def forget_booking(self) -> None:
        """Back to a clean slate for the next request (the guest's details are kept)."""
        self.goal = None
        self.check_in = self.check_out = None
        self.adults = self.children = self.rooms = None
        self.room_type_id = None
        self.quote, self.quote_currency, self.quote_stale = [], None, False
        self.booking_ref, self.verified = None, False
