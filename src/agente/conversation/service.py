"""A guest message in, the agent's reply out: storage, ordering and the dialogue.

Each message is processed against its session's state in three short steps, so no
database transaction stays open while the PMS is asked:

1. the guest, the session and the inbound message are stored (a channel message id that
   was already stored is a redelivery: it is answered with the reply given the first time
   and not processed again — unless no turn was ever stored for it, because the process
   answering it stopped half-way: then it is processed now);
2. the message is understood and the dialogue decides, on the state as read;
3. the new state and the reply are stored — only if the session's ``version`` is still
   the one read. If another process answered a message of the same session meanwhile,
   step 2 runs again on the newer state (its effects are idempotent: bookings carry a
   key). In one process a lock per session keeps messages in order without retries.

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
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agente.conversation.dialogue.engine import respond
from agente.conversation.dialogue.state import Slots, Step
from agente.conversation.dialogue.turn import Deps, Turn
from agente.conversation.nlu.parser import NluParser
from agente.conversation.nlu.types import Intent, ParseResult
from agente.observability import tracing
from agente.pms.errors import PmsError
from agente.storage import db
from agente.storage.models import ConversationSession, Guest, Message

log = structlog.stdlib.get_logger("agente.conversation")

_STALE_AFTER = timedelta(hours=12)


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


class ConversationService:
    def __init__(
        self,
        deps: Deps,
        parser: NluParser,
        *,
        factory: async_sessionmaker[AsyncSession],
        timezone: str,
        threshold: float,
    ) -> None:
        self.deps = deps
        self.parser = parser
        self.factory = factory
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
        session_id, inbound_id, duplicate = await self._store_inbound(channel, external_id, text, channel_message_id)
        if duplicate is not None:
            return duplicate
        lock = self._locks.setdefault(session_id, asyncio.Lock())
        async with lock:
            for _ in range(5):
                reply = await self._turn(
                    session_id, inbound_id, channel, text, language, today or self.today(), readable=readable
                )
                if reply is not None:
                    return reply
            raise RuntimeError(f"session {session_id} kept changing under this message")

    async def _store_inbound(
        self, channel: str, external_id: str, text: str, channel_message_id: str | None
    ) -> tuple[uuid.UUID, uuid.UUID, Reply | None]:
        try:
            async with db.session_scope(self.factory) as session:
                guest = (
                    await session.execute(
                        select(Guest).where(Guest.channel == channel, Guest.external_id == external_id)
                    )
                ).scalar_one_or_none()
                if guest is None:
                    guest = Guest(channel=channel, external_id=external_id)
                    session.add(guest)
                    await session.flush()
                convo = (
                    await session.execute(
                        select(ConversationSession)
                        .where(ConversationSession.guest_id == guest.id)
                        .order_by(ConversationSession.created_at.desc())
                        .limit(1)
                    )
                ).scalar_one_or_none()
                if convo is None:
                    convo = ConversationSession(guest_id=guest.id, channel=channel, state=Step.IDLE.value, slots={})
                    session.add(convo)
                    await session.flush()
                inbound = Message(
                    session_id=convo.id,
                    direction="in",
                    channel=channel,
                    channel_message_id=channel_message_id,
                    text=text,
                )
                session.add(inbound)
                await session.flush()
                return convo.id, inbound.id, None
        except IntegrityError:
            # The channel delivered this message before: answer as we did then.
            return await self._previous_reply(channel, channel_message_id or "")

    async def _previous_reply(self, channel: str, channel_message_id: str) -> tuple[uuid.UUID, uuid.UUID, Reply | None]:
        async with db.session_scope(self.factory) as session:
            inbound = (
                await session.execute(
                    select(Message).where(Message.channel == channel, Message.channel_message_id == channel_message_id)
                )
            ).scalar_one()
            if inbound.intent is None:
                # Stored, but its turn never was (the process answering it stopped half-way;
                # the turn records the intent with the reply): answer it now, not "as then".
                return inbound.session_id, inbound.id, None
            convo = await session.get(ConversationSession, inbound.session_id)
            assert convo is not None
            outbound = (
                await session.execute(
                    select(Message)
                    .where(
                        Message.session_id == inbound.session_id,
                        Message.direction == "out",
                        Message.created_at >= inbound.created_at,
                    )
                    .order_by(Message.created_at)
                    .limit(1)
                )
            ).scalar_one_or_none()
        parse = ParseResult(language=convo.language or "es", intent=Intent(inbound.intent or "inform", 1.0))
        text = outbound.text if outbound else ""
        reply = Reply(
            convo.id, text, convo.language or "es", parse, convo.state, convo.status, outbound.id if outbound else None
        )
        return convo.id, inbound.id, reply

    async def _turn(
        self,
        session_id: uuid.UUID,
        inbound_id: uuid.UUID,
        channel: str,
        text: str,
        language: str | None,
        today: date,
        *,
        readable: bool = True,
    ) -> Reply | None:
        async with db.session_scope(self.factory) as session:
            convo = await session.get(ConversationSession, session_id)
            assert convo is not None
            version, status, step = convo.version, convo.status, Step(convo.state)
            slots = Slots.from_json(convo.slots)
            previous_language, last_at = convo.language, convo.last_message_at
        if last_at is not None and datetime.now(UTC) - last_at > _STALE_AFTER and step is not Step.IDLE:
            slots.forget_booking()
            step = Step.IDLE
        started = time.perf_counter()
        with tracing.span("conversation.parse"):
            if readable:
                parse = await self.parser.parse(text, language=language, previous=previous_language, today=today)
            else:
                parse = ParseResult(language=previous_language or language or "es", intent=Intent("out_of_scope", 0.0))
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
        if status == "bot" and not readable:
            turn.say("unsupported_media")
        elif status == "bot":
            with tracing.span("conversation.dialogue"):
                await respond(turn, self.deps, self.threshold)
            # The dialogue may settle in context what the message alone left unclear
            # ("general" answering a quote is a room choice): report and count that.
            parse = turn.parse
        if turn.handoff_reason:
            turn.slots.handoff_reason = turn.handoff_reason
        new_status = "handoff" if turn.handoff_reason else status
        async with tracing.span("conversation.reply"), db.session_scope(self.factory) as session:
            changed = await session.execute(
                update(ConversationSession)
                .where(ConversationSession.id == session_id, ConversationSession.version == version)
                .values(
                    state=turn.step.value,
                    slots=turn.slots.to_json(),
                    language=parse.language,
                    status=new_status,
                    version=version + 1,
                    last_message_at=datetime.now(UTC),
                )
            )
            if getattr(changed, "rowcount", 0) != 1:
                return None
            inbound = await session.get(Message, inbound_id)
            assert inbound is not None
            inbound.language, inbound.intent = parse.language, parse.intent.name
            outbound_id = None
            if turn.replies:
                outbound = Message(
                    session_id=session_id,
                    direction="out",
                    channel=channel,
                    text=turn.text,
                    language=parse.language,
                    # The web and API answer in the response itself; other channels send it later.
                    status="sent" if channel in ("web", "api") else "queued",
                )
                session.add(outbound)
                await session.flush()
                outbound_id = outbound.id
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
        return Reply(session_id, turn.text, parse.language, parse, turn.step.value, new_status, outbound_id)

    def _count(self, channel: str, parse: ParseResult, turn: Turn) -> None:
        metrics = self.deps.metrics
        metrics.messages.labels(channel, "in", parse.language, parse.intent.name).inc()
        if turn.replies:
            metrics.messages.labels(channel, "out", parse.language, parse.intent.name).inc()
        if turn.handoff_reason:
            metrics.handoffs.labels(turn.handoff_reason).inc()
            log.info("conversation handed to staff", reason=turn.handoff_reason)
