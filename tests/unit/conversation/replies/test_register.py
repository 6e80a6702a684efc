"""One register per language: the agent speaks to Spanish-speaking guests as «tú», in its
templates and in the hotel's seeded answers alike (English has one register)."""

from __future__ import annotations

import re
from importlib import resources

import pytest
import yaml

from agente.conversation.replies.templates import TEMPLATES

# Forms that address the guest as «usted»: the pronoun, its object and possessive forms next
# to what only a guest has (a room's «su número» is the room's), and the verbs the agent would
# use only to speak to them («puede» is also what reception can do, so it is not one).
_USTED = re.compile(
    r"\busted(es)?\b|\ble (damos|enviamos|ayudamos|recomendamos|confirmamos|esperamos|llamamos)\b"
    r"|\bayudarle\b|\bsu (reserva|llegada|estancia|correo|tel[eé]fono)\b"
    r"|\b(necesita|desea|prefiere|escriba|llame|p[oó]ngase)\b",
    re.IGNORECASE,
)


def _facts_es() -> dict[str, str]:
    text = resources.files("agente.conversation").joinpath("data/hotel_facts.yaml").read_text(encoding="utf-8")
    return {topic: entry["answer_es"] for topic, entry in yaml.safe_load(text).items()}


@pytest.mark.parametrize(
    ("where", "text"),
    [*((f"template {key}", text) for key, text in TEMPLATES["es"].items()), *_facts_es().items()],
)
def test_spanish_replies_address_the_guest_as_tu(where: str, text: str) -> None:
    found = _USTED.search(text)
    assert found is None, f"{where} says {found.group(0)!r}: {text!r}"
