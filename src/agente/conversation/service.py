"""A guest message in, the agent's reply out: storage, ordering and the dialogue.

Each message is processed against its session's state in three short steps, with two
transactions, so none stays open while the PMS is asked:

1. the guest, the session and the inbound message are stored, and the session's state is
   read in the same transaction (a channel message id that was already stored is a
   redelivery: it is answered with the reply given the first time and not processed again
   — unless no turn was ever stored for it, because the process answering it stopped
   half-way: then it is processed now);
2. the message is understood and the dialogue decides, on the state as read;
3. the new state and the reply are stored — only if the session's ``version`` is still
   the one read. If another process answered a message of the same session meanwhile, the
   state is read again and step 2 runs again on it (its effects are idempotent: bookings
   carry a key). In one process a lock per session keeps messages in order, and a message
   that waited for it reads the state afresh.

Every database round trip is paid in latency by the guest: storage
(:class:`~agente.storage.repositories.conversations.ConversationStore`) makes each of the
two steps that touch the database one atomic call, one statement on PostgreSQL.

A session owned by staff (``status = "handoff"``) gets no bot reply; staff answer it
through the admin API.

With tracing on, a message is a span ``conversation.turn`` with the steps as children:
``conversation.parse``, ``conversation.dialogue`` (PMS calls nest inside it) and
``conversation.reply`` (the reply and the new state stored). Attributes name the channel,
language, intent, state and session id — never the message or who wrote it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import structlog

from agente.conversation.dialogue.engine import respond
from agente.conversation.dialogue.state import SessionStatus, Slots, Step
from agente.conversation.dialogue.turn import Deps, Turn
from agente.conversation.nlu.parser import NluParser
from agente.conversation.nlu.types import Intent, IntentName, ParseResult
from agente.conversation.replies.render import recording_keys
from agente.errors import DuplicateRecordError
from agente.observability import tracing
from agente.pms.errors import PmsError
from agente.storage.repositories.conversations import ConversationStore, Received, SessionState, TurnRecord

log = structlog.stdlib.get_logger("agente.conversation")

_STALE_AFTER = timedelta(hours=12)


def _discussed(slots: Slots) -> tuple[date | None, date | None]:
    """The stay the session is about, for the NLU to read bare days in its month: the one
    offered back ("did you mean January 3 to 5?") while the guest has not said yes to it."""
    check_in = slots.check_in or slots.proposed_check_in
    check_out = slots.check_out or slots.proposed_check_out
    return (
        date.fromisoformat(check_in) if check_in else None,
        date.fromisoformat(check_out) if check_out else None,
    )


@dataclass(frozen=True, slots=True)
class Reply:
    session_id: uuid.UUID
    text: str
    language: str
    parse: ParseResult
    state: str
    status: str
    # The stored reply (None when there is none), for a channel to record its own message id.
    outbound_id: uuid.UUID | None = None
    # The reply's templates by key, in order (empty for a redelivery answered as before).
    keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Stored:
    """A stored inbound message, and its session's state when read with it (None: read it)."""

    session_id: uuid.UUID
    inbound_id: uuid.UUID
    state: SessionState | None


class ConversationService:
    def __init__(
        self,
        deps: Deps,
        parser: NluParser,
        *,
        store: ConversationStore,
        timezone: str,
        threshold: float,
    ) -> None:
        self.deps = deps
        self.parser = parser
        self.store = store
        self.zone = ZoneInfo(timezone)
        self.threshold = threshold
        self._hotel_name: str | None = None
        self._locks: weakref.WeakValueDictionary[uuid.UUID, asyncio.Lock] = weakref.WeakValueDictionary()

    async def hotel_name(self) -> str:
        """The hotel's name from the PMS (remembered once read); a neutral phrase while it cannot be read."""
        if self._hotel_name is None:
            try:
                self._hotel_name = (await self.deps.pms.hotel()).name
            except PmsError:
                return "el hotel"
        return self._hotel_name

    def today(self) -> date:
        return datetime.now(self.zone).date()

    @tracing.traced("conversation.turn")
    async def handle(
        self,
        *,
        channel: str,
        external_id: str,
        text: str,
        language: str | None = None,
        channel_message_id: str | None = None,
        today: date | None = None,
        readable: bool = True,
    ) -> Reply:
        """Answer one message. ``readable=False`` (a photo, a voice note) stores it and asks the
        guest, in their language, to write instead."""
        stored = await self._store_inbound(channel, external_id, text, channel_message_id)
        if isinstance(stored, Reply):
            return stored
        lock = self._locks.setdefault(stored.session_id, asyncio.Lock())
        # A message that has to wait for another of its session reads the state that one
        # leaves, instead of running the dialogue on the one read with it and being refused.
        waited = lock.locked()
        async with lock:
            state: SessionState | None = None if waited else stored.state
            for _ in range(5):
                if state is None:
                    state = await self.store.state(stored.session_id)
                reply = await self._turn(
                    stored, state, channel, text, language, today or self.today(), readable=readable
                )
                if reply is not None:
                    return reply
                state = None  # the session moved on since it was read
            raise RuntimeError(f"session {stored.session_id} kept changing under this message")

    async def _store_inbound(
        self, channel: str, external_id: str, text: str, channel_message_id: str | None, first_try: bool = True
    ) -> _Stored | Reply:
        try:
            received: Received = await self.store.receive(
                channel, external_id, text, channel_message_id, datetime.now(UTC)
            )
        except DuplicateRecordError:
            if channel_message_id is not None:
                previous = await self._previous_reply(channel, channel_message_id)
                if previous is not None:
                    # The channel delivered this message before: answer as we did then.
                    return previous
            if not first_try:
                raise
            # Not a redelivery: a new guest's first messages raced to create the guest, and the
            # other one won; this one joins the session it started.
            return await self._store_inbound(channel, external_id, text, channel_message_id, first_try=False)
        return _Stored(received.state.session_id, received.inbound_id, received.state)

    async def _previous_reply(self, channel: str, channel_message_id: str) -> _Stored | Reply | None:
        """How a stored message was answered; None when no message has that id."""
        previous = await self.store.previous(channel, channel_message_id)
        if previous is None:
            return None
        if previous.intent is None:
            # Stored, but its turn never was (the process answering it stopped half-way;
            # the turn records the intent with the reply): answer it now, not "as then".
            return _Stored(previous.session_id, previous.inbound_id, None)
        language = previous.language or "es"
        parse = ParseResult(language=language, intent=Intent(IntentName(previous.intent), 1.0))
        return Reply(
            previous.session_id,
            previous.reply_text,
            language,
            parse,
            previous.step,
            previous.status,
            previous.reply_id,
        )

    async def _turn(
        self,
        stored: _Stored,
        state: SessionState,
        channel: str,
        text: str,
        language: str | None,
        today: date,
        *,
        readable: bool = True,
    ) -> Reply | None:
        # A state read is used for one attempt only (the dialogue hands back new slots in the turn).
        session_id, status, step, slots = (
            stored.session_id,
            state.status,
            Step(state.step),
            Slots.from_json(state.slots),
        )
        stale = state.last_message_at is not None and datetime.now(UTC) - state.last_message_at > _STALE_AFTER
        if stale and step is not Step.IDLE:
            slots = slots.without_booking()
            step = Step.IDLE
        started = time.perf_counter()
        with tracing.span("conversation.parse"):
            if readable:
                parse = await self.parser.parse(
                    text, language=language, previous=state.language, today=today, discussed=_discussed(slots)
                )
            else:
                parse = ParseResult(
                    language=state.language or language or "es", intent=Intent(IntentName.OUT_OF_SCOPE, 0.0)
                )
        self.deps.metrics.nlu_latency.observe(time.perf_counter() - started)
        turn = Turn(
            session_id=session_id,
            message=text,
            language=parse.language,
            parse=parse,
            today=today,
            step=step,
            slots=slots,
            hotel_name=await self.hotel_name(),
        )
        with recording_keys() as keys:
            if status == SessionStatus.BOT and not readable:
                turn.say("unsupported_media")
            elif status == SessionStatus.BOT:
                with tracing.span("conversation.dialogue"):
                    await respond(turn, self.deps, self.threshold)
                # The dialogue may settle in context what the message alone left unclear
                # ("general" answering a quote is a room choice): report and count that.
                parse = turn.parse
        new_status = SessionStatus.HANDOFF.value if turn.handoff_reason else status
        record = TurnRecord(
            session_id=session_id,
            read_version=state.version,
            step=turn.step.value,
            slots=turn.slots.to_json(),
            language=parse.language,
            status=new_status,
            inbound_id=stored.inbound_id,
            intent=parse.intent.name,
            channel=channel,
            reply_text=turn.text if turn.replies else None,
            # The web and API answer in the response itself; other channels send it later.
            reply_status="sent" if channel in ("web", "api") else "queued",
        )
        with tracing.span("conversation.reply"):
            recorded = await self.store.record_turn(record, datetime.now(UTC))
        if recorded is None:
            return None
        self._count(channel, parse, turn)
        tracing.set_attributes(
            {
                "conversation.session_id": str(session_id),
                "conversation.channel": channel,
                "conversation.language": parse.language,
                "conversation.intent": parse.intent.name,
                "conversation.intent_confidence": parse.intent.confidence,
                "conversation.state": turn.step.value,
                "conversation.status": new_status,
                "conversation.handoff_reason": turn.handoff_reason,
            }
        )
        return Reply(
            session_id, turn.text, parse.language, parse, turn.step.value, new_status, recorded.reply_id, tuple(keys)
        )

    def _count(self, channel: str, parse: ParseResult, turn: Turn) -> None:
        metrics = self.deps.metrics
        metrics.messages.labels(channel, "in", parse.language, parse.intent.name).inc()
        if turn.replies:
            metrics.messages.labels(channel, "out", parse.language, parse.intent.name).inc()
        if turn.handoff_reason:
            metrics.handoffs.labels(turn.handoff_reason).inc()
            log.info("conversation handed to staff", reason=turn.handoff_reason)
