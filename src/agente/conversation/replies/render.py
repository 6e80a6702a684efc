"""Filling a template: ``render("booked", "es", reference="AH…", ...)``.

Inside :func:`recording_keys` every template rendered is noted by its key, nested ones
included (a "resume" that carries the pending question): a turn reports what it said by
template as well as by text, so tests can check replies by key (like Rasa's ``utter_``
names) while the wording is free to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from agente.conversation.replies.templates import TEMPLATES

_said: ContextVar[list[str] | None] = ContextVar("agente_said_keys", default=None)


@contextmanager
def recording_keys() -> Iterator[list[str]]:
    """The keys of the templates rendered inside the block, in order."""
    keys: list[str] = []
    token = _said.set(keys)
    try:
        yield keys
    finally:
        _said.reset(token)


def render(key: str, language: str, **values: object) -> str:
    """The template ``key`` in ``language`` (Spanish when the language is unknown), filled."""
    table = TEMPLATES.get(language, TEMPLATES["es"])
    said = _said.get()
    if said is not None:
        said.append(key)
    return table[key].format(**values)


def status_name(status: str, language: str) -> str:
    names = dict(item.split("=", 1) for item in render("status_names", language).split(";"))
    return names.get(status, status)
