"""The conversation suite: every ``*.yaml`` here is a multi-turn conversation with a guest.

Each file::

    name: what the conversation shows
    language: es                       # the guest's language
    reference_date: 2026-11-29         # "today" for the agent (hotel time zone)
    setup:                             # optional
      flags: {pms.fallback.enabled: true}
      pms: {down: true}                # simulator faults: down, latency_ms, failure_rate
      bookings: [{reference_from: ..}] # (not used yet)
    steps:
      - say: "hola, quiero reservar del 12 al 15 de diciembre para 2"
        intent: check_availability     # or a list of acceptable intents
        slots: {check_in: 2026-12-12, check_out: 2026-12-15, adults: 2}
        state: choose_room
        status: bot                    # or handoff
        reply_keys: [quote_header]     # templates the reply used (conversation/replies/templates.py)
        reply_keys_not: [clarify]      # templates it must not use
        reply_contains: ["General Rooms"]   # exact text: keep it for money, dates and names
        reply_not_contains: ["error"]
        reply_has_quote: true          # every total the PMS quotes for the slots appears in the reply
        reply_empty: false
        pms: {down: false}             # change simulator faults before this step
    end:
      booking: {room_type_id: 1, check_in: 2026-12-12, check_out: 2026-12-15, adults: 2}
      # or: booking: none
    known_issue: "what the agent still gets wrong here"   # optional

A conversation with ``known_issue`` documents a behaviour the agent does not have yet: it is
expected to fail (strictly — once the agent gets it right, the test says so and the key must
go).

It runs against the simulator on the test database, with the fixed reference date.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from agente.container import Container
from agente.conversation.replies.format import format_money
from agente.conversation.service import Reply
from agente.pms.adapters.simulator_faults import SimulatorFaults
from agente.pms.types import StayQuery
from agente.storage import db
from agente.storage.models import BookingRecord, ConversationSession, SimulatorBooking

HERE = Path(__file__).parent
CASES = sorted(HERE.glob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


# The dialogue does not depend on the database backend; one is enough for the suite.
pytestmark = pytest.mark.parametrize("settings", ["embedded"], indirect=True)


@pytest.fixture
async def agent(container: Container) -> AsyncIterator[Container]:
    container.pms_faults.refresh_seconds = 0
    container.flags.refresh_seconds = 0
    # The API seeds the hotel's facts when it starts; the bare container does not.
    await container.facts.seed_if_empty()
    yield container


async def _faults(container: Container, spec: dict[str, Any]) -> None:
    await container.pms_faults.set(SimulatorFaults(**spec))
    if not spec.get("down"):
        await container.pms.breaker.reset()


async def _session_slots(container: Container, session_id: Any) -> tuple[dict[str, Any], str, str]:
    async with db.session_scope(container.session_factory) as session:
        convo = await session.get(ConversationSession, session_id)
        assert convo is not None
        return dict(convo.slots or {}), convo.state, convo.status


async def _quoted_totals(container: Container, slots: dict[str, Any], language: str) -> list[str]:
    query = StayQuery(
        date.fromisoformat(slots["check_in"]),
        date.fromisoformat(slots["check_out"]),
        adults=slots["adults"],
        children=slots.get("children") or 0,
        rooms=slots.get("rooms") or 1,
    )
    answer = await container.pms.inner.availability(query)
    return [format_money(o.total_price, o.currency, language) for o in answer.offers]


def _check_slots(expected: dict[str, Any], slots: dict[str, Any], where: str) -> None:
    for key, value in expected.items():
        wanted = value.isoformat() if isinstance(value, date) else value
        assert slots.get(key) == wanted, f"{where}: slot {key} is {slots.get(key)!r}, expected {wanted!r}"


def _param(path: Path) -> Any:
    issue = _load(path).get("known_issue")
    marks = [pytest.mark.xfail(reason=str(issue), strict=True)] if issue else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("case", [_param(p) for p in CASES])
async def test_conversation(case: Path, agent: Container) -> None:
    spec = _load(case)
    today = spec.get("reference_date", date(2026, 11, 29))
    guest = f"guest-{case.stem}"
    setup = spec.get("setup") or {}
    for flag, value in (setup.get("flags") or {}).items():
        await agent.flags.set(flag, bool(value))
    if setup.get("pms"):
        await _faults(agent, setup["pms"])

    for number, step in enumerate(spec["steps"], start=1):
        if "pms" in step:
            await _faults(agent, step["pms"])
        text = str(step["say"])
        if "{last_reference}" in text:
            text = text.replace("{last_reference}", await _last_reference(agent))
        reply = await agent.conversations.handle(
            channel="web", external_id=guest, text=text, language=spec.get("declared_language"), today=today
        )
        await _check_step(agent, step, reply, f"{case.name} step {number} ({step['say']!r})")

    await _check_end(agent, spec.get("end") or {}, case.name)


async def _last_reference(container: Container) -> str:
    async with db.session_scope(container.session_factory) as session:
        records = list((await session.execute(select(BookingRecord).order_by(BookingRecord.created_at))).scalars())
    assert records, "{last_reference} used before any booking was made"
    return records[-1].reference


async def _check_step(agent: Container, step: dict[str, Any], reply: Reply, where: str) -> None:
    slots, state, status = await _session_slots(agent, reply.session_id)
    text = reply.text
    if "intent" in step:
        allowed = step["intent"] if isinstance(step["intent"], list) else [step["intent"]]
        assert reply.parse.intent.name in allowed, f"{where}: intent {reply.parse.intent.name}, reply {text!r}"
    if "language" in step:
        assert reply.language == step["language"], f"{where}: language {reply.language}"
    _check_slots(step.get("slots") or {}, slots, where)
    if "state" in step:
        assert state == step["state"], f"{where}: state {state}, reply {text!r}"
    if "status" in step:
        assert status == step["status"], f"{where}: status {status}, reply {text!r}"
    for key in step.get("reply_keys") or []:
        assert key in reply.keys, f"{where}: template {key!r} not in {list(reply.keys)}, reply {text!r}"
    for key in step.get("reply_keys_not") or []:
        assert key not in reply.keys, f"{where}: template {key!r} used, reply {text!r}"
    for fragment in step.get("reply_contains") or []:
        assert str(fragment).lower() in text.lower(), f"{where}: {fragment!r} not in reply {text!r}"
    for fragment in step.get("reply_not_contains") or []:
        assert str(fragment).lower() not in text.lower(), f"{where}: {fragment!r} in reply {text!r}"
    if step.get("reply_has_quote"):
        totals = await _quoted_totals(agent, slots, reply.language)
        assert totals, f"{where}: the PMS quotes nothing for {slots}"
        for total in totals:
            assert total in text, f"{where}: PMS total {total} not in reply {text!r}"
    if "reply_empty" in step:
        assert (text == "") is step["reply_empty"], f"{where}: reply {text!r}"


async def _check_end(agent: Container, end: dict[str, Any], name: str) -> None:
    if "booking" not in end:
        return
    async with db.session_scope(agent.session_factory) as session:
        records = list((await session.execute(select(BookingRecord))).scalars())
        pms_rows = list((await session.execute(select(SimulatorBooking))).scalars())
    expected = end["booking"]
    if expected in (None, "none"):
        assert records == [] and pms_rows == [], f"{name}: something was booked"
        return
    status = expected.get("status", "confirmed")
    matching = [r for r in records if r.status == status]
    assert len(matching) == 1, f"{name}: {len(matching)} {status} bookings"
    record = matching[0]
    for key, value in expected.items():
        if key == "status":
            continue
        got = getattr(record, key)
        assert got == (Decimal(str(value)) if isinstance(got, Decimal) else value), f"{name}: {key} is {got}"
    if status == "confirmed":
        live = [row for row in pms_rows if row.status == "confirmed"]
        assert len(live) == 1 and live[0].id == int((record.pms_booking_id or "SIM0").removeprefix("SIM"))
        assert (live[0].check_in, live[0].check_out) == (record.check_in, record.check_out)
