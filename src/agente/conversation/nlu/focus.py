"""The part of a long message that carries the request.

A guest who writes a page about their year, their flights and their pillows asks for the
stay in one or two clauses ("what we'd like is a room for 2 adults from December 10 to 13").
Classified whole, such a message is a blur of small talk; classified on the clauses that
name a stay, a party or a booking, it reads as what it is. Short messages are read whole.
"""

from __future__ import annotations

import re
from datetime import date

from agente.conversation.nlu.entities.booking_ref import extract_booking_ref
from agente.conversation.nlu.entities.dates import extract_stay

__all__ = ["LONG_MESSAGE_WORDS", "request_focus"]

LONG_MESSAGE_WORDS = 60
"""Messages with more words than this are classified on their request clauses."""

_CLAUSE_END = re.compile(r"[.!?;,\n]+")
_WORD = re.compile(r"\w+")


def _carries_request(clause: str, language: str, today: date) -> bool:
    # Dates and references only: a party is also inferred from "my partner and I", which
    # long messages are full of.
    stay = extract_stay(clause, language, today)
    return stay.check_in is not None or stay.check_out is not None or extract_booking_ref(clause) is not None


def request_focus(text: str, language: str, today: date) -> str:
    """``text`` itself when short; else its clauses that name stay dates or a booking reference
    (joined in order), or the whole text when none does."""
    if len(_WORD.findall(text)) <= LONG_MESSAGE_WORDS:
        return text
    clauses = [clause.strip() for clause in _CLAUSE_END.split(text) if clause and clause.strip()]
    focused = [clause for clause in clauses if _carries_request(clause, language, today)]
    return ". ".join(focused) if focused else text
