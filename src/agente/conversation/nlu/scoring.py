"""The fitted intent pipeline's arithmetic for one message, without scikit-learn's call overhead.

A trained pipeline is TF-IDF vectorizers side by side followed by a multinomial logistic
regression: its probabilities for a message are ``softmax(W · x + b)``, where ``x`` holds,
for each vectorizer, the sublinear term frequencies of the message's known n-grams times
their IDF, L2-normalised per vectorizer. Computing that for one short message touches a few
dozen columns; ``transform`` and ``predict_proba`` spend most of their time validating
inputs, building sparse matrices and checking feature names (about 0.3 ms a message, a fifth
of the whole NLU). :class:`LinearScorer` reads the fitted vocabularies, IDF weights and
coefficients once and does only the arithmetic, with scikit-learn's own analyzers, so it gives
the pipeline's probabilities to rounding (``tests/unit/conversation/nlu`` checks every
training example).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from sklearn.pipeline import Pipeline


@dataclass(frozen=True, slots=True)
class _Vectorizer:
    analyze: Callable[[str], Sequence[str]]
    # n-gram → column of the union's output
    columns: dict[str, int]
    idf: dict[int, float]
    sublinear: bool


class LinearScorer:
    """``predict_proba`` of a fitted ``Pipeline([("features", FeatureUnion([... TfidfVectorizer])),
    ("classifier", LogisticRegression)])``, for one input string at a time."""

    def __init__(self, pipeline: Pipeline) -> None:
        import numpy as np

        union = pipeline.named_steps["features"]
        classifier = pipeline.named_steps["classifier"]
        self._vectorizers: list[_Vectorizer] = []
        offset = 0
        for _, vectorizer in union.transformer_list:
            if vectorizer.norm != "l2" or not vectorizer.use_idf:
                raise ValueError("LinearScorer reads TF-IDF vectorizers with l2 norm and IDF only")
            columns = {term: offset + index for term, index in vectorizer.vocabulary_.items()}
            idf = {offset + index: float(weight) for index, weight in enumerate(vectorizer.idf_)}
            self._vectorizers.append(_Vectorizer(vectorizer.build_analyzer(), columns, idf, vectorizer.sublinear_tf))
            offset += len(vectorizer.vocabulary_)
        # One row of class weights per feature, so a message's few columns are one fancy index.
        self._weights: np.ndarray = np.ascontiguousarray(classifier.coef_.T)
        self._intercept: np.ndarray = np.asarray(classifier.intercept_, dtype=float)
        self._binary = self._weights.shape[1] == 1

    def probabilities(self, text: str) -> np.ndarray:
        """The probability of each class (the classifier's ``classes_`` order) for ``text``."""
        import numpy as np

        columns: list[int] = []
        values: list[float] = []
        for vectorizer in self._vectorizers:
            counts = Counter(
                column for term in vectorizer.analyze(text) if (column := vectorizer.columns.get(term)) is not None
            )
            weighted = [
                ((1.0 + math.log(n)) if vectorizer.sublinear else float(n)) * vectorizer.idf[column]
                for column, n in counts.items()
            ]
            norm = math.sqrt(sum(w * w for w in weighted))
            if norm:
                columns.extend(counts)
                values.extend(w / norm for w in weighted)
        scores: np.ndarray = self._intercept.copy()
        if columns:
            scores += np.asarray(values) @ self._weights[columns]
        if self._binary:
            positive = 1.0 / (1.0 + math.exp(-float(scores[0])))
            return np.array([1.0 - positive, positive])
        scores -= scores.max()
        exp: np.ndarray = np.exp(scores)
        result: np.ndarray = exp / exp.sum()
        return result

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError("LinearScorer is rebuilt from its pipeline, not pickled")
