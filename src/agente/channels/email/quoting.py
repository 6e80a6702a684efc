"""What the guest wrote in this email, without the history their mail client appended.

:func:`strip_quoted` drops, in order of appearance:

* lines quoted with ``>`` (the usual reply quoting);
* everything from an attribution line on: ``On <date>, <someone> wrote:`` or
  ``El <fecha>, <alguien> escribió:`` — possibly wrapped over up to three lines — which
  must hold a digit or an ``@`` (a date or an address), so that "el lunes, como escribió mi
  mujer:" in the guest's own words is kept;
* everything from a forwarded or Outlook-style original (``-----Original Message-----``,
  ``-----Mensaje original-----``);
* the signature: everything from a ``-- `` line (RFC 3676; also ``--`` once mail clients
  trimmed the space), and "Sent from my …" / "Enviado desde mi …" footers.
"""

from __future__ import annotations

import re

__all__ = ["strip_quoted"]

_ATTRIBUTION_START = re.compile(r"^\s*(on|el)\s", re.IGNORECASE)
_ATTRIBUTION_END = re.compile(r"(wrote|escribi[óo])\s*:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*-{3,}\s*(original message|mensaje original|forwarded message|mensaje reenviado)\s*-{3,}\s*$", re.IGNORECASE
)
_FOOTER = re.compile(r"^\s*(sent from my|enviado desde mi)\b", re.IGNORECASE)
_ATTRIBUTION_LINES = 3


def strip_quoted(text: str) -> str:
    """``text`` without quoted replies, attributions, forwarded originals and signature; stripped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.rstrip() == "--" or _ORIGINAL.match(line) or _FOOTER.match(line) or _is_attribution(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def _is_attribution(lines: list[str], index: int) -> bool:
    if not _ATTRIBUTION_START.match(lines[index]):
        return False
    joined = ""
    for line in lines[index : index + _ATTRIBUTION_LINES]:
        if not line.strip() or line.lstrip().startswith(">"):
            return False
        joined = f"{joined} {line.strip()}"
        if _ATTRIBUTION_END.search(line):
            return bool(re.search(r"[\d@]", joined))
    return False
