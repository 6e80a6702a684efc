"""One turn of the dialogue: what came in, the state it acts on, and what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.nlu.types import ParseResult
from agente.conversation.replies.render import render

if TYPE_CHECKING:
    import uuid

    from agente.conversation.facts import HotelFacts
    from agente.observability.metrics import Metrics
    from agente.ops.flags import FeatureFlags
    from agente.pms.port import PmsClient
    from agente.reservations.service import Reservations


@dataclass(frozen=True, slots=True)
class Deps:
    """What the dialogue may use: the PMS, bookings, the hotel's facts, flags, metrics."""

    pms: PmsClient
    reservations: Reservations
    facts: HotelFacts
    flags: FeatureFlags
    metrics: Metrics
    max_nights: int = 30


@dataclass
class Turn:
    session_id: uuid.UUID
    message: str
    language: str
    parse: ParseResult
    today: date
    step: Step
    slots: Slots
    hotel_name: str
    replies: list[str] = field(default_factory=list)
    handoff_reason: str | None = None

    def say(self, key: str, **values: object) -> None:
        self.replies.append(render(key, self.language, **values))

    def hand_off(self, reason: str, key: str = "handoff", **values: object) -> None:
        self.say(key, **values)
        self.handoff_reason = reason
        self.step = Step.IDLE

    @property
    def intent(self) -> str:
        return self.parse.intent.name

    @property
    def text(self) -> str:
        return "\n".join(self.replies)
