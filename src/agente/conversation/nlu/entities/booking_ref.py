"""Our booking references: "AH" and six characters of an alphabet without look-alikes.

The alphabet drops B, I, O, S, Z and 0, 1, 2, 5, 8, which are easily misread for one another,
so a candidate with any of them is not one of ours ("AH7B3P9Q" is rejected for the B).

    extract_booking_ref("mi localizador es ah7c3p9q") -> "AH7C3P9Q"
    extract_booking_ref("AH-7C3P9Q")                  -> "AH7C3P9Q"
"""

from __future__ import annotations

import re

__all__ = ["REFERENCE_ALPHABET", "extract_booking_ref"]

REFERENCE_ALPHABET = frozenset("ACDEFGHJKLMNPQRTUVWXY34679")

_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])ah(?P<sep>[ \-_.]?)(?P<code>[a-z0-9]{6})(?![A-Za-z0-9])", re.IGNORECASE)
_KEYWORD_BEFORE = re.compile(
    r"(?:reserva|booking|reservation|ref|referencia|reference|localizador|codigo|código|code|number|numero|número|"
    r"confirmation|confirmacion|confirmación|id)\W*(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)


def _is_reference(match: re.Match[str], text: str) -> bool:
    code = match.group("code").upper()
    if not REFERENCE_ALPHABET.issuperset(code):
        return False
    if len(set(code)) == 1:
        return False
    # "ah really" and "ahhhhhhh" spell valid codes too: a reference without a digit must be
    # introduced as one ("mi reserva ...") or, written in one piece, be in capitals.
    return (
        any(c.isdigit() for c in code)
        or bool(_KEYWORD_BEFORE.search(text[: match.start()]))
        or (not match.group("sep") and match.group(0).isupper())
    )


def extract_booking_ref(text: str) -> str | None:
    """The first valid booking reference in ``text``, upper case without separator, or None."""
    for match in _CANDIDATE.finditer(text):
        if _is_reference(match, text):
            return "AH" + match.group("code").upper()
    return None
