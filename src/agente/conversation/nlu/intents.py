"""What a guest wants: one of :data:`~agente.conversation.nlu.types.INTENTS`, with a confidence.

A scikit-learn pipeline trained at start-up from the packaged examples
(``data/intents/es.yaml``, ``data/intents/en.yaml``) in a second or two, or loaded from a
cache keyed by the examples, this module's code and the scikit-learn version::

    normalise(text) ─┬─ TF-IDF char n-grams (2–5, inside word boundaries) ─┐
                     └─ TF-IDF word 1–2-grams + a language token ─────────┴─ LogisticRegression

scikit-learn, NumPy and joblib are imported when a model is first trained, loaded or used,
so commands that never classify a message (``agente flags``, ``agente db upgrade``…) start
without paying for them.

Text is normalised first: lower case, accents stripped, letters repeated three times or
more squeezed (``holaaa`` → ``hola``), a few chat spellings expanded (``q`` → ``que``,
``xfa`` → ``por favor``, ``u`` → ``you``, ``thx`` → ``thanks``), digits collapsed to ``0``,
and emails, URLs, booking references (``AH3C7PQX``), personal names written as two or
more capitalised words (``Ana Pérez``, ``Juan de la Cruz``) and emoji replaced by
placeholder tokens, so ``"del 3 al 5"`` and ``"del 12 al 15"`` look alike, any name looks
like every other name, and ``👍`` means ``ok``.

One model serves both languages: character n-grams carry most of the signal and are shared
(``reserv``, ``cancel``, ``wifi``); the session's language is one extra word feature
(``xlang_es``/``xlang_en``), so a few words that mean different things in each language can
be told apart.

The confidence is the model's probability for the winning intent. Below
:data:`RECOMMENDED_THRESHOLD` the dialogue should ask the guest to rephrase or pick an
option; ``docs/nlu.md`` has the measurements behind that number.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
import yaml

from agente.conversation.nlu.scoring import LinearScorer
from agente.conversation.nlu.types import INTENTS, LANGUAGES, Intent, IntentName

if TYPE_CHECKING:
    import numpy as np
    from sklearn.pipeline import Pipeline

log = structlog.stdlib.get_logger("agente.nlu")

Example = tuple[str, str, str]
"""``(text, language, intent)``."""

RECOMMENDED_THRESHOLD = 0.45
_UNFAMILIAR_FLOOR = 0.4

_DATA_FILES = {language: f"data/intents/{language}.yaml" for language in LANGUAGES}
_CACHE_PREFIX = "intents-"
_LANG_SEPARATOR = "\x1f"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+")
# Letters and digits interleaved (AH3C7PQX, kx9p2m7q); "15marzo" or "covid19" do not qualify.
_REFERENCE = re.compile(r"\b(?=\w*[a-z]\d)(?=\w*\d[a-z])[a-z0-9]{6,12}\b")
_CAPITALISED = r"[A-ZÁÉÍÓÚÑ](?:'[A-Z])?[a-záéíóúñü]+(?:-[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)?"
_NAME = re.compile(rf"\b{_CAPITALISED}(?:\s+(?:(?:de|del|la|las|los|y|van|von|da|di)\s+)*{_CAPITALISED})+\b")
# Capitalised words that start messages, greet or name a date rather than a person.
_NOT_NAMES = frozenset(
    """
    hola buenas buenos buen dia dias tardes noches hello hi hey good morning evening afternoon
    thanks thank gracias muchas mil por favor please ok okay si no yes quiero hotel i the my mi
    feliz happy navidad christmas semana santa easter ano nuevo new year eve day valentine
    lunes martes miercoles jueves viernes sabado domingo monday tuesday wednesday thursday
    friday saturday sunday enero febrero marzo abril mayo junio julio agosto septiembre octubre
    noviembre diciembre january february march april may june july august september october
    november december reserva booking room habitacion suite doble double
    """.split()
)
_REPEATED = re.compile(r"([a-z])\1{2,}")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[a-z0]+")
_SPACES = re.compile(r"\s+")
# Words of one letter count ("q", "y", "i"), and so do question and exclamation marks.
_WORD_FEATURE = r"[a-z0_]+|[?¿!]"

_EMOJI = {
    "ok": "👍👌✅🆗🙆✔☑💯🤝",
    "no": "👎❌🚫🙅✖⛔",
    "thanks": "🙏",
    "love": "❤💕💖💗😍🥰😘♥💙💚💛💜🧡",
    "wave": "👋",
    "smile": "😊🙂😀😃😄😁😉☺🤗😎",
    "laugh": "😂🤣😆😅",
    "angry": "😡😠🤬💢",
    "sad": "😢😭😞😔☹🙁😩😫",
}
_EMOJI_TOKENS = {char: f" xemoji{name} " for name, chars in _EMOJI.items() for char in chars}

_CHAT_WORDS = {
    "q": "que",
    "k": "que",
    "xq": "porque",
    "pq": "porque",
    "porq": "porque",
    "pa": "para",
    "x": "por",
    "xfa": "por favor",
    "xfavor": "por favor",
    "porfa": "por favor",
    "porfavor": "por favor",
    "pf": "por favor",
    "tb": "tambien",
    "tmb": "tambien",
    "d": "de",
    "finde": "fin de semana",
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "plis": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "thanx": "thanks",
    "ty": "thank you",
    "wknd": "weekend",
    "wanna": "want to",
    "gonna": "going to",
    "im": "i am",
    "ppl": "people",
}


def _name_placeholder(match: re.Match[str]) -> str:
    words = match.group(0).split()
    plain = [unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode() for word in words]
    if any(word in _NOT_NAMES for word in plain):
        return match.group(0)
    return " xname "


def normalise(text: str) -> str:
    """The text the model sees: see the module docstring."""
    text = _EMAIL.sub(" xemail ", text)
    text = _URL.sub(" xurl ", text)
    text = _NAME.sub(_name_placeholder, text)
    text = "".join(_EMOJI_TOKENS.get(char, char) for char in text)
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _REFERENCE.sub(" xref ", text)
    text = _REPEATED.sub(r"\1", text)
    text = _DIGITS.sub("0", text)
    text = _WORD.sub(lambda m: _CHAT_WORDS.get(m.group(0), m.group(0)), text)
    return _SPACES.sub(" ", text).strip()


def _model_input(text: str, language: str) -> str:
    return f"{language}{_LANG_SEPARATOR}{normalise(text)}"


def _text_only(value: str) -> str:
    return value.partition(_LANG_SEPARATOR)[2]


def _with_language_token(value: str) -> str:
    language, _, text = value.partition(_LANG_SEPARATOR)
    return f"xlang_{language} {text}"


def _build_pipeline() -> Pipeline:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    preprocessor=_text_only,
                    sublinear_tf=True,
                    min_df=1,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    preprocessor=_with_language_token,
                    token_pattern=_WORD_FEATURE,
                    sublinear_tf=True,
                ),
            ),
        ]
    )
    # newton-cg converges in a handful of iterations here, about ten times faster than lbfgs.
    classifier = LogisticRegression(C=20.0, solver="newton-cg", max_iter=1000, class_weight="balanced")
    return Pipeline([("features", features), ("classifier", classifier)])


@functools.cache
def _code_digest() -> str:
    # A cached model is only valid with the normalisation and features that built it, so a
    # change to this module retrains it as surely as a change to the examples does.
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def data_hash(examples: Sequence[Example]) -> str:
    """A digest of the examples, this module's code and the scikit-learn version."""
    import sklearn

    payload = json.dumps(
        {"examples": [list(example) for example in examples], "code": _code_digest(), "sklearn": sklearn.__version__},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class IntentClassifier:
    """A trained intent model.

    Build one with :meth:`train` (or :func:`load_or_train`); :meth:`predict` never raises
    for any string. Instances are immutable after training and safe to share between
    threads; they pickle with joblib.
    """

    def __init__(self, pipeline: Pipeline, *, data_hash: str, training_seconds: float) -> None:
        self._pipeline = pipeline
        self.data_hash = data_hash
        self.training_seconds = training_seconds
        self.intents: tuple[str, ...] = tuple(str(name) for name in pipeline.classes_)
        words = pipeline.named_steps["features"].transformer_list[1][1].vocabulary_
        self._known_words = frozenset(word for word in words if " " not in word)
        self._scorer: LinearScorer | None = None

    @classmethod
    def train(cls, examples: Sequence[Example]) -> IntentClassifier:
        """Fit a model on ``(text, language, intent)`` examples.

        Raises ``ValueError`` for an unknown language or intent, or when fewer than two
        intents are present.
        """
        from threadpoolctl import threadpool_limits

        _validate(examples)
        started = time.perf_counter()
        pipeline = _build_pipeline()
        # The solver's small dense products gain nothing from BLAS threads and lose a lot
        # when the CPUs are busy: one thread trains in about half the time on 2 vCPUs.
        with threadpool_limits(limits=1):
            pipeline.fit(
                [_model_input(text, language) for text, language, _ in examples],
                [intent for _, _, intent in examples],
            )
        return cls(pipeline, data_hash=data_hash(examples), training_seconds=time.perf_counter() - started)

    def predict(self, text: str, language: str) -> Intent:
        """The most likely intent of ``text`` and its probability.

        A message with nothing to read (empty, punctuation, an emoji the model does not
        know) is ``out_of_scope`` with confidence 0.
        """
        return self.predict_many([(text, language)])[0]

    def predict_many(self, items: Sequence[tuple[str, str]]) -> list[Intent]:
        """:meth:`predict` for ``(text, language)`` pairs, in one pass over the model."""
        results = [Intent(IntentName.OUT_OF_SCOPE, 0.0)] * len(items)
        readable: list[int] = []
        inputs: list[str] = []
        familiarity: list[float] = []
        for index, (text, language) in enumerate(items):
            normalised = normalise(text)
            if any(char.isalnum() for char in normalised):
                readable.append(index)
                inputs.append(f"{language}{_LANG_SEPARATOR}{normalised}")
                familiarity.append(self._familiarity(normalised))
        if inputs:
            import numpy as np

            probabilities = self._probabilities(inputs)
            best = np.argmax(probabilities, axis=1)
            for row, index in enumerate(readable):
                column = int(best[row])
                confidence = float(probabilities[row, column]) * familiarity[row]
                results[index] = Intent(IntentName(self.intents[column]), confidence)
        return results

    def _probabilities(self, inputs: list[str]) -> np.ndarray:
        """The pipeline's ``predict_proba`` for ``inputs`` (one row each), computed by its
        :class:`~agente.conversation.nlu.scoring.LinearScorer`: scikit-learn's per-call
        validation and sparse-matrix building cost several times the arithmetic itself."""
        import numpy as np

        if self._scorer is None:
            self._scorer = LinearScorer(self._pipeline)
        return np.vstack([self._scorer.probabilities(text) for text in inputs])

    def __getstate__(self) -> dict[str, object]:
        # The scorer is rebuilt from the pipeline after loading, never pickled with it.
        return {**self.__dict__, "_scorer": None}

    def _familiarity(self, normalised: str) -> float:
        """How much of the message the model has seen words of, from 0.4 (none) to 1.

        The model's probability for a message made only of unseen words ("asdkjh qwpoe",
        a name it never met) rests on character fragments alone; scaling it down keeps such
        guesses under the clarification threshold.
        """
        words = [word for word in _WORD.findall(normalised) if word != "0"]
        if not words:
            return 1.0
        known = sum(word in self._known_words for word in words)
        return _UNFAMILIAR_FLOOR + (1.0 - _UNFAMILIAR_FLOOR) * known / len(words)

    def save(self, path: Path) -> None:
        """Write the model to ``path`` atomically (a reader never sees half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        os.close(fd)
        import joblib

        try:
            joblib.dump(self, tmp_name)
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise

    @staticmethod
    def load(path: Path) -> IntentClassifier:
        """Read a model written by :meth:`save`. Raises ``TypeError`` if it holds something else."""
        import joblib

        loaded = joblib.load(path)
        if not isinstance(loaded, IntentClassifier):
            raise TypeError(f"{path} does not hold an IntentClassifier")
        return loaded


def _validate(examples: Sequence[Example]) -> None:
    for text, language, intent in examples:
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r} for example {text!r}")
        if intent not in INTENTS:
            raise ValueError(f"unknown intent {intent!r} for example {text!r}")
    if len({intent for _, _, intent in examples}) < 2:
        raise ValueError("training needs examples of at least two intents")


def _read_packaged(relative: str) -> str:
    return resources.files("agente.conversation.nlu").joinpath(relative).read_text(encoding="utf-8")


def parse_examples(document: str, language: str, source: str) -> list[Example]:
    """Examples from a YAML ``{intent: [text, ...]}`` document written in ``language``."""
    data = yaml.safe_load(document)
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping of intent to examples")
    examples: list[Example] = []
    for intent, texts in data.items():
        if intent not in INTENTS:
            raise ValueError(f"{source}: unknown intent {intent!r}")
        if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip() for t in texts):
            raise ValueError(f"{source}: {intent} must be a list of non-empty strings")
        examples.extend((text, language, str(intent)) for text in texts)
    return examples


def load_examples() -> list[Example]:
    """Every packaged training example, Spanish first, in file order."""
    examples: list[Example] = []
    for language, relative in _DATA_FILES.items():
        examples.extend(parse_examples(_read_packaged(relative), language, relative))
    return examples


def load_or_train(cache_dir: Path | None, examples: Sequence[Example] | None = None) -> IntentClassifier:
    """A classifier for ``examples`` (default: :func:`load_examples`), cached in ``cache_dir``.

    The cache file is named after :func:`data_hash`, so changed examples, a change to this
    module or another scikit-learn version train a new model; older cache files are removed.
    An unreadable cache file is logged and replaced. The cache is unpickled with joblib: it
    must be a directory only the service writes to. With ``cache_dir=None`` the model is
    trained and nothing is written.
    """
    examples = load_examples() if examples is None else examples
    if cache_dir is None:
        return IntentClassifier.train(examples)
    key = data_hash(examples)
    path = cache_dir / f"{_CACHE_PREFIX}{key[:20]}.joblib"
    if path.exists():
        try:
            cached = IntentClassifier.load(path)
        except Exception as exc:  # a corrupt or foreign cache must never stop start-up
            log.warning("nlu_cache_unreadable", path=str(path), error=repr(exc))
        else:
            if cached.data_hash == key:
                return cached
    classifier = IntentClassifier.train(examples)
    classifier.save(path)
    for stale in cache_dir.glob(f"{_CACHE_PREFIX}*.joblib"):
        if stale != path:
            stale.unlink(missing_ok=True)
    log.info("nlu_model_trained", examples=len(examples), seconds=round(classifier.training_seconds, 2))
    return classifier
