"""One intent classifier per process, shared by every container built in it.

The classifier is immutable once trained, and training (or loading it from its on-disk
cache) takes seconds: tests and the worker build several containers in one process, and
each would otherwise pay that again.
"""

from __future__ import annotations

import functools
from pathlib import Path

from agente.conversation.nlu.intents import IntentClassifier, load_or_train


@functools.lru_cache(maxsize=4)
def shared_classifier(cache_dir: Path | None) -> IntentClassifier:
    return load_or_train(cache_dir)
