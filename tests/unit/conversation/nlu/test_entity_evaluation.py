from __future__ import annotations

from pathlib import Path

from agente.conversation.nlu.entities.evaluate import (
    HELDOUT_PATH,
    entity_failures,
    evaluate_entities,
    format_entity_report,
)


def test_heldout_file_is_large_and_bilingual() -> None:
    text = HELDOUT_PATH.read_text(encoding="utf-8")
    assert text.count("language: es") >= 60
    assert text.count("language: en") >= 60


def test_heldout_date_ranges_and_counts_are_accurate() -> None:
    report = evaluate_entities(HELDOUT_PATH)
    assert report["stay_range"] >= 0.95, entity_failures(HELDOUT_PATH)
    assert report["party"] >= 0.95, entity_failures(HELDOUT_PATH)
    assert report["stay_range_cases"] >= 100
    for entity in ("email", "phone", "name", "booking_ref", "topic", "room_type"):
        assert report[entity] >= 0.9, entity


def test_evaluation_counts_misses(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(
        "reference_date: 2026-11-29\n"
        "catalog: [[1, Delux Rooms]]\n"
        "cases:\n"
        "  - {language: es, text: 'del 12 al 15 de diciembre', stay: {check_in: 2026-12-12, check_out: 2026-12-15}}\n"
        "  - {language: es, text: 'del 12 al 15 de diciembre', stay: {check_in: 2026-12-12, check_out: 2026-12-16}}\n"
        "  - {language: es, text: 'hola', stay: null, party: null, room_type: null}\n"
        "  - {language: en, text: 'deluxe', room_type: {id: 1}, topic: null}\n"
        "  - {language: en, text: 'the delux one', room_type: 1, reference_date: '2026-12-01'}\n"
        "  - {language: en, text: 'tomorrow', reference_date: '2026-12-01', stay: {check_in: '2026-12-02'}}\n",
        encoding="utf-8",
    )
    report = evaluate_entities(path)
    assert report["stay_range"] == 3 / 4
    assert report["stay_range_cases"] == 4
    assert report["party"] == report["room_type"] == report["topic"] == 1.0
    assert "email" not in report
    failures = entity_failures(path)
    assert [(f.entity, f.text) for f in failures] == [
        ("stay_range", "del 12 al 15 de diciembre"),
        ("stay", "del 12 al 15 de diciembre"),
    ]
    assert format_entity_report(report).splitlines()[1].split() == ["stay_range", "0.750", "4"]
