"""Replies report the templates they were made of."""

from __future__ import annotations

from agente.conversation.replies.render import recording_keys, render


def test_rendered_templates_are_recorded_by_key_nested_ones_included() -> None:
    with recording_keys() as keys:
        question = render("ask_party", "en")
        render("resume", "en", question=question)
    assert keys == ["ask_party", "resume"]


def test_nothing_is_recorded_outside_a_recording() -> None:
    with recording_keys() as keys:
        pass
    render("greet", "es", hotel="Hotel Demo")
    assert keys == []
