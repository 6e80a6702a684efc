"""One turn of the dialogue: what came in, the state it acts on, and what goes out.

:class:`Turn` is what the conversation service hands to :func:`~.engine.respond` and reads
back. Inside the dialogue a handler reads a :class:`Message` (the guest's message as
understood, and the step it arrived at) with the session's :class:`~.state.Slots`, and
returns an :class:`Outcome`: what the agent says, the next step, the new slots, and why a
person takes over, if one does. Handlers change nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.nlu.types import Entities, IntentName, ParseResult
from agente.conversation.replies.render import render

if TYPE_CHECKING:
    import uuid

    from agente.conversation.facts import HotelFacts
    from agente.observability.metrics import Metrics
    from agente.pms.port import PmsClient
    from agente.reservations.service import Reservations


@dataclass(frozen=True, slots=True)
class Deps:
    """What the dialogue may use: the PMS, bookings, the hotel's facts, metrics."""

    pms: PmsClient
    reservations: Reservations
    facts: HotelFacts
    metrics: Metrics
    max_nights: int = 30


@dataclass
class Turn:
    """A message and its session's state going in; replies, step and slots coming out."""

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

    @property
    def text(self) -> str:
        return "\n".join(self.replies)


@dataclass(frozen=True, slots=True)
class Message:
    """The guest's message as the dialogue reads it: what was said and understood, and where."""

    session_id: uuid.UUID
    text: str
    language: str
    parse: ParseResult
    today: date
    step: Step
    hotel_name: str
    # The classifier's confidence reached the threshold: its intent may be acted on.
    confident: bool
    # New bookings may be made (the ``bookings.enabled`` switch, read where a booking can start).
    bookings_open: bool = True

    @property
    def intent(self) -> IntentName:
        return self.parse.intent.name

    @property
    def entities(self) -> Entities:
        return self.parse.entities

    def means(self, *intents: IntentName) -> bool:
        """The guest surely means one of ``intents``."""
        return self.confident and self.intent in intents

    def say(self, key: str, **values: object) -> str:
        """The reply ``key`` in the guest's language."""
        return render(key, self.language, **values)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a handler decided: the replies in order, the next step and slots, a handoff.

    ``understood`` is false when the step could not use the message (the slots may still
    hold what it said): the engine then counts a misunderstanding and asks again.
    ``intent`` is the intent read in context when it differs from the classifier's
    ("general", answering a quote, chooses a room)."""

    replies: tuple[str, ...]
    step: Step
    slots: Slots
    handoff_reason: str | None = None
    understood: bool = True
    intent: IntentName | None = None

    def after(self, *replies: str) -> Outcome:
        """This outcome, with ``replies`` said before its own."""
        return replace(self, replies=(*replies, *self.replies))


def answer(step: Step, slots: Slots, *replies: str) -> Outcome:
    return Outcome(replies, step, slots)


def not_understood(msg: Message, slots: Slots) -> Outcome:
    return Outcome((), msg.step, slots, understood=False)


def hand_off(msg: Message, slots: Slots, reason: str, key: str = "handoff", **values: object) -> Outcome:
    """A person takes over (the session's status becomes ``handoff``); the bot goes back to idle."""
    return Outcome((msg.say(key, **values),), Step.IDLE, replace(slots, handoff_reason=reason), handoff_reason=reason)
