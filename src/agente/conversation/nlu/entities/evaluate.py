"""Accuracy of the entity extractors on a held-out YAML file of guest messages.

    evaluate_entities(HELDOUT_PATH)
    # {"stay_range": 0.98, "stay_range_cases": 103.0, "stay": ..., "party": ..., ...}

The file holds ``reference_date`` (the hotel's today), ``catalog`` (``[id, name]`` room
types), ``region`` (the hotel's country, for phones without country code; default US) and
``cases``; each case has ``text`` and ``language``, may override ``reference_date``,
``catalog`` and ``region``, and gives any of these expectations:

* ``stay``: ``{check_in, check_out, nights, in_past}``; check_in/check_out default to null,
  nights and in_past are checked only when given; ``stay: null`` means no dates at all.
* ``party``: ``{adults, children, rooms}``, missing keys null; ``party: null`` means no counts.
* ``email``, ``phone``, ``name``, ``booking_ref``, ``topic``: a string, or null for none; a
  phone in E.164, or its digits alone when the region cannot hold it.
* ``room_type``: ``{id: <id or null>}`` (or the id alone), or null when no room type is
  mentioned.

An absent key is not evaluated for that case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from agente.conversation.nlu.entities.booking_ref import extract_booking_ref
from agente.conversation.nlu.entities.contact import extract_email, extract_guest_name, extract_phone
from agente.conversation.nlu.entities.counts import extract_party
from agente.conversation.nlu.entities.dates import extract_stay
from agente.conversation.nlu.entities.room_type import match_room_type
from agente.conversation.nlu.entities.topic import extract_topic
from agente.conversation.nlu.types import Party

__all__ = ["HELDOUT_PATH", "Failure", "entity_failures", "evaluate_entities", "format_entity_report"]

HELDOUT_PATH = Path(__file__).resolve().parent.parent / "data" / "entities_heldout.yaml"

ENTITIES = ("stay_range", "stay", "party", "email", "phone", "name", "booking_ref", "topic", "room_type")


@dataclass(frozen=True, slots=True)
class Failure:
    entity: str
    text: str
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class _Case:
    text: str
    language: str
    reference: date
    catalog: tuple[tuple[int, str], ...]
    region: str
    expect: Mapping[str, Any]


def _date(value: Any) -> date | None:
    """A YAML date, written bare (2026-11-29) or quoted ("2026-11-29")."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _catalog(raw: Any) -> tuple[tuple[int, str], ...]:
    return tuple((int(room_type_id), str(name)) for room_type_id, name in raw or ())


def _cases(path: str | Path) -> list[_Case]:
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    reference = _date(document["reference_date"])
    if reference is None:
        raise ValueError(f"{path}: reference_date is required")
    catalog = _catalog(document.get("catalog"))
    region = str(document.get("region", "US"))
    return [
        _Case(
            text=str(raw["text"]),
            language=str(raw["language"]),
            reference=_date(raw.get("reference_date")) or reference,
            catalog=_catalog(raw["catalog"]) if "catalog" in raw else catalog,
            region=str(raw.get("region", region)),
            expect=raw,
        )
        for raw in document["cases"]
    ]


def _stay(case: _Case) -> list[tuple[str, object, object]]:
    got = extract_stay(case.text, case.language, case.reference)
    raw = case.expect["stay"]
    expected = raw or {}
    wanted_range = (_date(expected.get("check_in")), _date(expected.get("check_out")))
    got_range = (got.check_in, got.check_out)
    wanted: dict[str, object] = {"range": wanted_range}
    found: dict[str, object] = {"range": got_range}
    for key, default in (("nights", None), ("in_past", False)):
        if raw is None or key in expected:
            wanted[key] = expected.get(key, default)
            found[key] = getattr(got, key)
    return [("stay_range", wanted_range, got_range), ("stay", wanted, found)]


def _party(case: _Case) -> list[tuple[str, object, object]]:
    expected = case.expect["party"] or {}
    wanted = Party(adults=expected.get("adults"), children=expected.get("children"), rooms=expected.get("rooms"))
    return [("party", wanted, extract_party(case.text, case.language))]


def _room_type(case: _Case) -> list[tuple[str, object, object]]:
    got = match_room_type(case.text, case.language, case.catalog)
    expected = case.expect["room_type"]
    if isinstance(expected, Mapping):
        expected = expected.get("id", expected.get("room_type_id"))
        wanted: tuple[str, object] | None = ("mention", expected)
    else:
        wanted = None if expected is None else ("mention", expected)
    return [("room_type", wanted, None if got is None else ("mention", got.room_type_id))]


_PLAIN: dict[str, Callable[[_Case], object]] = {
    "email": lambda case: extract_email(case.text),
    "phone": lambda case: extract_phone(case.text, case.region),
    "name": lambda case: extract_guest_name(case.text, case.language),
    "booking_ref": lambda case: extract_booking_ref(case.text),
    "topic": lambda case: extract_topic(case.text, case.language),
}


def _checks(case: _Case) -> list[tuple[str, object, object]]:
    checks: list[tuple[str, object, object]] = []
    if "stay" in case.expect:
        checks.extend(_stay(case))
    if "party" in case.expect:
        checks.extend(_party(case))
    if "room_type" in case.expect:
        checks.extend(_room_type(case))
    for entity, extract in _PLAIN.items():
        if entity in case.expect:
            checks.append((entity, case.expect[entity], extract(case)))
    return checks


def entity_failures(path: str | Path = HELDOUT_PATH) -> list[Failure]:
    """Every expectation of the file at ``path`` that the extractors miss, in file order."""
    return [
        Failure(entity, case.text, repr(wanted), repr(got))
        for case in _cases(path)
        for entity, wanted, got in _checks(case)
        if wanted != got
    ]


def evaluate_entities(path: str | Path = HELDOUT_PATH) -> dict[str, float]:
    """Accuracy per entity over the cases of the file at ``path`` that state it.

    ``stay_range`` is the exact date-range accuracy: check-in and check-out both right, or
    both rightly absent; ``stay`` also checks nights and ``in_past`` where given. An entity
    no case states is left out. ``<entity>_cases`` gives how many cases each accuracy is on.
    """
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for case in _cases(path):
        for entity, wanted, got in _checks(case):
            total[entity] = total.get(entity, 0) + 1
            right[entity] = right.get(entity, 0) + (wanted == got)
    result: dict[str, float] = {}
    for entity in ENTITIES:
        if entity in total:
            result[entity] = right[entity] / total[entity]
            result[f"{entity}_cases"] = float(total[entity])
    return result


def format_entity_report(report: Mapping[str, float]) -> str:
    """A plain-text table of :func:`evaluate_entities`' result: entity, accuracy, cases."""
    lines = [f"{'entity':<14}{'accuracy':>9}{'cases':>7}"]
    lines += [
        f"{entity:<14}{report[entity]:>9.3f}{int(report.get(f'{entity}_cases', 0)):>7}"
        for entity in ENTITIES
        if entity in report
    ]
    return "\n".join(lines)
