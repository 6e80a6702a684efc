"""Filling a template: ``render("booked", "es", reference="AH…", ...)``."""

from __future__ import annotations

from agente.conversation.replies.templates import TEMPLATES


def render(key: str, language: str, **values: object) -> str:
    """The template ``key`` in ``language`` (Spanish when the language is unknown), filled."""
    table = TEMPLATES.get(language, TEMPLATES["es"])
    return table[key].format(**values)


def status_name(status: str, language: str) -> str:
    names = dict(item.split("=", 1) for item in render("status_names", language).split(";"))
    return names.get(status, status)
