"""Whether cancelling a booking costs the guest anything, told from the hotel's own policy.

The terms come from the hotel's facts (``cancellation_policy``: its ``details`` hold
``free_until_hours_before_arrival`` and ``late_cancellation_charge``), else from the policy
text the facts or the PMS give ("Free cancellation up to 48 hours before arrival; after that
the first night is charged"). With the terms and the booking's arrival the agent says
whether a fee applies to this booking; with only a text it quotes it and says it cannot
tell; with nothing it says the hotel gave it no policy. It never invents a term or an
amount: the charge is named ("the first night"), not priced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from agente.conversation.dialogue.turn import Deps, Message
from agente.conversation.nlu.entities.text import fold
from agente.conversation.replies.format import format_day
from agente.conversation.replies.render import render
from agente.pms.errors import PmsUnavailableError

_HOURS = re.compile(
    r"(\d{1,3})\s*(horas|hours|hrs|hr|h|dias|days|day|dia)\b[^.;]{0,40}?\b(?:antes|before|prior)", re.IGNORECASE
)
_FREE = re.compile(r"\b(?:gratis|gratuita|gratuito|free|sin\s+(?:coste|costo|cargo|gastos)|no\s+charge)\b")
_CHARGES = (
    ("first_night", re.compile(r"\b(?:first\s+night|primera\s+noche)\b")),
    ("full_stay", re.compile(r"\b(?:full\s+stay|whole\s+stay|entire\s+stay|estancia\s+completa|100\s*%)\b")),
)


@dataclass(frozen=True, slots=True)
class Terms:
    """The hotel's cancellation policy: free until ``free_hours`` before arrival, then ``charge``.

    ``free_hours`` is None when the policy could not be read as a deadline (only ``text``)."""

    text: str | None
    free_hours: int | None = None
    charge: str | None = None


def read_terms(text: str) -> Terms:
    """The terms a policy text states, as far as they can be read from it."""
    folded = fold(text)
    found = _HOURS.search(folded)
    if found is None or not _FREE.search(folded):
        return Terms(text)
    amount, unit = int(found.group(1)), found.group(2)
    hours = amount * 24 if unit.startswith("d") else amount
    charge = next((name for name, pattern in _CHARGES if pattern.search(folded)), None)
    return Terms(text, hours, charge)


async def terms(deps: Deps, language: str) -> Terms | None:
    """The hotel's cancellation terms: the facts first (operators keep them), then the PMS."""
    fact = await deps.facts.fact("cancellation_policy")
    if fact is not None:
        details = fact.details or {}
        hours = details.get("free_until_hours_before_arrival")
        if isinstance(hours, int) and not isinstance(hours, bool) and hours >= 0:
            charge = details.get("late_cancellation_charge")
            return Terms(fact.answer(language), hours, charge if isinstance(charge, str) else None)
        read = read_terms(fact.answer(language))
        if read.free_hours is not None:
            return read
    try:
        policies = (await deps.pms.hotel()).policies
    except PmsUnavailableError:
        policies = None
    if policies:
        read = read_terms(policies)
        return read if read.free_hours is not None or fact is None else Terms(fact.answer(language))
    return Terms(fact.answer(language)) if fact is not None else None


async def _check_in_time(deps: Deps) -> time:
    """When guests may arrive: the deadline counts back from it (midnight when unknown)."""
    try:
        known = (await deps.pms.hotel()).check_in_time
    except PmsUnavailableError:
        known = None
    if known is not None:
        return known
    fact = await deps.facts.fact("check_in_out")
    value = (fact.details or {}).get("check_in_from") if fact else None
    if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
        hours, minutes = (int(part) for part in value.split(":"))
        if hours < 24 and minutes < 60:
            return time(hours, minutes)
    return time(0)


def _charge_name(charge: str | None, language: str) -> str:
    names = dict(item.split("=", 1) for item in render("charge_names", language).split(";"))
    return names.get(charge or "") or render("charge_default", language)


async def fee_note(msg: Message, deps: Deps, check_in: date) -> str:
    """One sentence: whether cancelling the booking arriving ``check_in`` costs a fee, and why."""
    lang = msg.language
    found = await terms(deps, lang)
    if found is None:
        return msg.say("cancel_fee_unknown")
    if found.free_hours is None:
        return msg.say("cancel_fee_policy", policy=(found.text or "").strip())
    deadline = datetime.combine(check_in, await _check_in_time(deps)) - timedelta(hours=found.free_hours)
    at = deadline.strftime("%H:%M")
    values = {"hours": found.free_hours, "charge": _charge_name(found.charge, lang), "time": at}
    day = format_day(deadline.date(), lang)
    if deadline.date() > msg.today:
        return msg.say("cancel_fee_free", deadline=msg.say("day_at", day=day, time=at), **values)
    if deadline.date() == msg.today and deadline.time() > time(0) and check_in > msg.today:
        return msg.say("cancel_fee_today", **values)
    return msg.say("cancel_fee_due", deadline=msg.say("day_at", day=day, time=at), **values)
