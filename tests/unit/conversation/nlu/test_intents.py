from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from agente.conversation.nlu.evaluation import EvaluationReport, evaluate, format_report, load_heldout, parse_heldout
from agente.conversation.nlu.intents import (
    RECOMMENDED_THRESHOLD,
    Example,
    IntentClassifier,
    data_hash,
    load_examples,
    load_or_train,
    normalise,
    parse_examples,
)
from agente.conversation.nlu.types import INTENTS, LANGUAGES, Intent, IntentName


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return load_examples()


@pytest.fixture(scope="module")
def classifier(examples: list[Example]) -> IntentClassifier:
    return IntentClassifier.train(examples)


@pytest.fixture(scope="module")
def report(classifier: IntentClassifier) -> EvaluationReport:
    return evaluate(classifier=classifier, cv_folds=0)


@pytest.fixture(scope="module")
def small_examples(examples: list[Example]) -> list[Example]:
    """Every eighth example: all intents in both languages, trained in a fraction of the time."""
    subset = examples[::8]
    assert {(intent, language) for _, language, intent in subset} == {(i, lang) for i in INTENTS for lang in LANGUAGES}
    return subset


def test_load_examples_cover_every_intent_in_both_languages(examples: list[Example]) -> None:
    counts = Counter((intent, language) for _, language, intent in examples)
    for intent in INTENTS:
        for language in LANGUAGES:
            assert counts[(intent, language)] >= 40, (intent, language)
    assert all(text.strip() for text, _, _ in examples)


def test_heldout_is_separate_from_training(examples: list[Example]) -> None:
    heldout = load_heldout()
    assert len(heldout) >= 280
    per_intent = Counter(intent for _, _, intent in heldout)
    assert all(per_intent[intent] >= 20 for intent in INTENTS)
    training = {(text.strip().lower(), language) for text, language, _ in examples}
    assert not [text for text, language, _ in heldout if (text.strip().lower(), language) in training]


def test_classifier_heldout_accuracy(report: EvaluationReport) -> None:
    assert report.heldout_accuracy >= 0.95


def test_classifier_recall_of_every_intent(report: EvaluationReport) -> None:
    recalls = {score.intent: score.recall for score in report.per_intent}
    assert set(recalls) == set(INTENTS)
    assert min(recalls.values()) >= 0.8, recalls


@pytest.mark.parametrize(
    "text, language, expected",
    [
        ("hola buenas", "es", "greet"),
        ("hay disponibilidad del 3 al 5 de marzo para 2?", "es", "check_availability"),
        ("quiero reservar una doble para el finde", "es", "book_room"),
        ("necesito cambiar las fechas de mi reserva AH3C7PQX", "es", "modify_booking"),
        ("quiero cancelar mi reserva", "es", "cancel_booking"),
        ("mi reserva está confirmada?", "es", "booking_status"),
        ("aceptan mascotas?", "es", "faq"),
        ("quiero hablar con una persona", "es", "human_handoff"),
        ("2 adultos", "es", "inform"),
        ("muchas gracias", "es", "thanks"),
        ("do you have rooms from june 3 to 5?", "en", "check_availability"),
        ("i'd like to book the suite for 2 nights", "en", "book_room"),
        ("can i add a night to my booking?", "en", "modify_booking"),
        ("please cancel my reservation", "en", "cancel_booking"),
        ("i didn't get the confirmation email", "en", "booking_status"),
        ("what time is check out?", "en", "faq"),
        ("i want to complain, get me the manager", "en", "human_handoff"),
        ("anna@mail.com", "en", "inform"),
        ("no thanks", "en", "deny"),
        ("yes please", "en", "affirm"),
        ("bye, see you", "en", "goodbye"),
        ("what's the capital of france?", "en", "out_of_scope"),
        ("👍", "es", "affirm"),
    ],
)
def test_classifier_predicts_typical_messages(
    classifier: IntentClassifier, text: str, language: str, expected: str
) -> None:
    intent = classifier.predict(text, language)
    assert intent.name == expected
    assert intent.confidence >= RECOMMENDED_THRESHOLD


@pytest.mark.parametrize("text", ["asdkjh qwpoe", "xcvbnm", "qwerty uiop", "jkjkjk lplp", "zzzz", "ñlkj fgh"])
def test_classifier_gibberish_has_low_confidence(classifier: IntentClassifier, text: str) -> None:
    assert classifier.predict(text, "es").confidence < RECOMMENDED_THRESHOLD
    assert classifier.predict(text, "en").confidence < RECOMMENDED_THRESHOLD


@pytest.mark.parametrize("text", ["", "   ", "???", "...", "🤷"])
def test_classifier_nothing_to_read_is_out_of_scope_with_zero_confidence(
    classifier: IntentClassifier, text: str
) -> None:
    assert classifier.predict(text, "es") == Intent(IntentName.OUT_OF_SCOPE, 0.0)


def test_classifier_predict_many_matches_predict(classifier: IntentClassifier) -> None:
    items = [("hola", "es"), ("", "es"), ("cancel my booking", "en"), ("asdf", "en")]
    assert classifier.predict_many(items) == [classifier.predict(text, language) for text, language in items]
    assert classifier.predict_many([]) == []


def test_classifier_training_is_deterministic(small_examples: list[Example]) -> None:
    first = IntentClassifier.train(small_examples)
    second = IntentClassifier.train(small_examples)
    items = [(text, language) for text, language, _ in load_heldout()]
    assert first.predict_many(items) == second.predict_many(items)
    assert first.data_hash == second.data_hash


def test_classifier_train_rejects_unknown_labels() -> None:
    with pytest.raises(ValueError, match="unknown intent"):
        IntentClassifier.train([("hola", "es", "greet"), ("x", "es", "order_pizza")])
    with pytest.raises(ValueError, match="unknown language"):
        IntentClassifier.train([("hola", "es", "greet"), ("bonjour", "fr", "greet")])
    with pytest.raises(ValueError, match="two intents"):
        IntentClassifier.train([("hola", "es", "greet"), ("hello", "en", "greet")])


def test_load_or_train_round_trip_through_the_cache(
    tmp_path: Path, small_examples: list[Example], monkeypatch: pytest.MonkeyPatch
) -> None:
    trained = load_or_train(tmp_path, small_examples)
    cached_files = list(tmp_path.glob("*.joblib"))
    assert len(cached_files) == 1

    def no_training(cls: type[IntentClassifier], examples: list[Example]) -> IntentClassifier:
        raise AssertionError("the cached model should have been used")

    with monkeypatch.context() as patch:
        patch.setattr(IntentClassifier, "train", classmethod(no_training))
        loaded = load_or_train(tmp_path, small_examples)
    items = [(text, language) for text, language, _ in load_heldout()[:60]]
    assert loaded.predict_many(items) == trained.predict_many(items)
    assert loaded.data_hash == trained.data_hash == data_hash(small_examples)


def test_load_or_train_retrains_when_the_data_changes(tmp_path: Path, small_examples: list[Example]) -> None:
    first = load_or_train(tmp_path, small_examples)
    changed = [*small_examples, ("quiero una habitación con jacuzzi privado", "es", "book_room")]
    second = load_or_train(tmp_path, changed)
    assert second.data_hash != first.data_hash
    assert [path.name for path in tmp_path.glob("*.joblib")] == [f"intents-{second.data_hash[:20]}.joblib"]


def test_load_or_train_replaces_an_unreadable_cache(tmp_path: Path, small_examples: list[Example]) -> None:
    path = tmp_path / f"intents-{data_hash(small_examples)[:20]}.joblib"
    path.write_bytes(b"not a model")
    classifier = load_or_train(tmp_path, small_examples)
    assert IntentClassifier.load(path).data_hash == classifier.data_hash


def test_load_or_train_without_cache_dir_writes_nothing(
    tmp_path: Path, small_examples: list[Example], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    classifier = load_or_train(None, small_examples)
    assert classifier.data_hash == data_hash(small_examples)
    assert list(tmp_path.iterdir()) == []


def test_data_hash_depends_on_examples_only(small_examples: list[Example]) -> None:
    assert data_hash(small_examples) == data_hash(list(small_examples))
    assert data_hash(small_examples) != data_hash(small_examples[1:])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Holaaaa, Quiero RESERVAR!!", "hola, quiero reservar!!"),
        ("q tal xfa", "que tal por favor"),
        ("thx u", "thanks you"),
        ("del 12 al 15", "del 0 al 0"),
        ("mi correo es ana@mail.com", "mi correo es xemail"),
        ("reserva AH3C7PQX", "reserva xref"),
        ("me llamo Ana Pérez", "me llamo xname"),
        ("soy Juan de la Cruz", "soy xname"),
        ("Buenas Tardes", "buenas tardes"),
        ("👍 🙏", "xemojiok xemojithanks"),
        ("habitación niño", "habitacion nino"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_parse_examples_rejects_bad_documents() -> None:
    assert parse_examples("greet: [hola, buenas]", "es", "x.yaml") == [
        ("hola", "es", "greet"),
        ("buenas", "es", "greet"),
    ]
    with pytest.raises(ValueError, match="unknown intent"):
        parse_examples("order_pizza: [una pizza]", "es", "x.yaml")
    with pytest.raises(ValueError, match="list of non-empty strings"):
        parse_examples("greet: [hola, 2]", "es", "x.yaml")
    with pytest.raises(ValueError, match="mapping"):
        parse_examples("- hola", "es", "x.yaml")


def test_parse_heldout_rejects_bad_items() -> None:
    assert parse_heldout("- {text: hola, language: es, intent: greet}") == [("hola", "es", "greet")]
    with pytest.raises(ValueError, match="unknown language or intent"):
        parse_heldout("- {text: hola, language: fr, intent: greet}")
    with pytest.raises(ValueError, match="needs a text"):
        parse_heldout("- {language: es, intent: greet}")


def test_evaluate_with_cross_validation_and_report(tmp_path: Path, small_examples: list[Example]) -> None:
    heldout = tmp_path / "heldout.yaml"
    heldout.write_text(
        "- {text: hola qué tal, language: es, intent: greet}\n"
        "- {text: quiero cancelar la reserva, language: es, intent: cancel_booking}\n"
        "- {text: 'is breakfast included?', language: en, intent: faq}\n",
        encoding="utf-8",
    )
    result = evaluate(heldout, examples=small_examples, cv_folds=2)
    assert result.heldout_examples == 3
    assert result.train_examples == len(small_examples)
    assert result.cv_accuracy is not None and 0.5 < result.cv_accuracy <= 1.0
    assert result.cv_thresholds and result.heldout_thresholds
    assert result.training_seconds > 0 and result.prediction_ms > 0
    text = format_report(result)
    assert "held-out accuracy" in text and "2-fold CV accuracy" in text
    assert all(intent in text for intent in INTENTS)
