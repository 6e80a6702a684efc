"""The intent model's one-message scorer gives the fitted pipeline's own probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agente.conversation.nlu.intents import Example, IntentClassifier, _model_input, load_examples
from agente.conversation.nlu.scoring import LinearScorer


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return IntentClassifier.train(load_examples())


def test_every_training_example_scores_as_the_pipeline_predicts(classifier: IntentClassifier) -> None:
    examples: list[Example] = load_examples()
    inputs = [_model_input(text, language) for text, language, _ in examples]
    # Guests' messages the model never saw, words it does not know, nothing it knows at all.
    inputs += [_model_input(text, "es") for text in ("zzqx wvvk", "¿¡!?", "habitacion pa 2 el finde xfa 🙏")]
    expected = classifier._pipeline.predict_proba(inputs)
    scorer = LinearScorer(classifier._pipeline)
    got = np.vstack([scorer.probabilities(text) for text in inputs])
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_a_loaded_model_rebuilds_its_scorer(classifier: IntentClassifier, tmp_path: Path) -> None:
    path = tmp_path / "model.joblib"
    before = classifier.predict("quiero reservar una habitación", "es")
    classifier.save(path)
    loaded = IntentClassifier.load(path)
    assert loaded.predict("quiero reservar una habitación", "es") == before
