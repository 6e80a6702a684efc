"""``NluParser``: one message → language, intent and entities.

The language comes from the message when it says enough, else from the session (an "ok"
or an emoji keeps the conversation's language), else from what the caller declared. The
intent classifier is trained once per process from the packaged data (or loaded from its
cache). Entities are extracted with the project's own grammars; room types are matched
against the PMS catalog, read through the PMS cache.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import date

from agente.conversation.nlu.entities.booking_ref import extract_booking_ref
from agente.conversation.nlu.entities.contact import extract_email, extract_guest_name, extract_phone
from agente.conversation.nlu.entities.counts import extract_party
from agente.conversation.nlu.entities.dates import Discussed, extract_stay
from agente.conversation.nlu.entities.room_type import match_room_type
from agente.conversation.nlu.entities.text import fold
from agente.conversation.nlu.entities.topic import (
    asks_total,
    extract_off_topic,
    extract_topic,
    extract_topic_items,
    extract_topics,
)
from agente.conversation.nlu.focus import request_focus
from agente.conversation.nlu.intents import RECOMMENDED_THRESHOLD, IntentClassifier
from agente.conversation.nlu.language import detect_language_scored, is_confident
from agente.conversation.nlu.types import LANGUAGES, Entities, Intent, IntentName, ParseResult, RoomTypeMention

Catalog = Callable[[], Awaitable[Sequence[tuple[int, str]]]]

# A short message that names one of the hotel's room types is the guest choosing it ("general",
# "me quedo con la ejecutiva", "no, pues la delux mejor"). The classifier is trained once for
# every hotel and cannot know each catalog's names, so it reads such messages as noise, a
# request for a person, or a refusal; the catalog match settles them.
_CHOICE_MAX_WORDS = 8
_OVERRULED = frozenset({IntentName.OUT_OF_SCOPE, IntentName.HUMAN_HANDOFF})
_PREFERENCE = re.compile(
    r"\b(?:mejor|prefiero|preferimos|en\s+vez|en\s+lugar|pues|better|instead|rather|prefer|actually|make\s+it)\b"
)
_WORDS = re.compile(r"\w+")


def _room_choice(intent: Intent, mention: RoomTypeMention, text: str) -> Intent:
    if mention.room_type_id is None or len(_WORDS.findall(text)) > _CHOICE_MAX_WORDS:
        return intent
    folded = fold(text)
    overruled = intent.name in _OVERRULED or intent.confidence < RECOMMENDED_THRESHOLD
    if overruled or (intent.name == IntentName.DENY and _PREFERENCE.search(folded)):
        return Intent(IntentName.INFORM, max(intent.confidence, mention.score))
    return intent


class NluParser:
    """Understands messages. The intent model is loaded (or trained) on first use, or by
    :meth:`warm_up` — the API calls it at start-up so no guest waits for it; commands that
    never parse a message never pay for it."""

    def __init__(self, load_classifier: Callable[[], IntentClassifier], catalog: Catalog, *, region: str) -> None:
        self._load_classifier = load_classifier
        self._classifier: IntentClassifier | None = None
        self._loading = asyncio.Lock()
        self.catalog = catalog
        # The hotel's country: a phone without country code is read as one of it.
        self.region = region

    async def warm_up(self) -> IntentClassifier:
        async with self._loading:
            if self._classifier is None:
                self._classifier = await asyncio.to_thread(self._load_classifier)
        return self._classifier

    def language_of(self, text: str, *, declared: str | None, previous: str | None) -> str:
        detected, confidence = detect_language_scored(text)
        if is_confident(confidence):
            return detected
        for fallback in (previous, declared):
            if fallback in LANGUAGES:
                return fallback
        return detected

    async def parse(
        self,
        text: str,
        *,
        language: str | None = None,
        previous: str | None = None,
        today: date,
        discussed: Discussed = (None, None),
    ) -> ParseResult:
        """``discussed`` is the stay the conversation is about (check-in, check-out): days said
        without a month are read in its month ("mejor del 16 al 19")."""
        lang = self.language_of(text, declared=language, previous=previous)
        # Classification and the grammars are about a millisecond of CPU, run on the event
        # loop: a worker thread would not run them beside other requests (they hold the GIL)
        # and the hop to it and back cost a tenth of the work again.
        classifier = self._classifier or await self.warm_up()
        intent, entities = self._understand(classifier, text, lang, today, self.region, discussed)
        mention = match_room_type(text, lang, await self.catalog())
        if mention is not None:
            entities = replace(entities, room_type=mention)
            intent = _room_choice(intent, mention, text)
        return ParseResult(language=lang, intent=intent, entities=entities)

    @staticmethod
    def _understand(
        classifier: IntentClassifier, text: str, lang: str, today: date, region: str, discussed: Discussed
    ) -> tuple[Intent, Entities]:
        intent = classifier.predict(request_focus(text, lang, today), lang)
        stay = extract_stay(text, lang, today, discussed)
        party = extract_party(text, lang)
        entities = Entities(
            check_in=stay.check_in,
            check_out=stay.check_out,
            nights=stay.nights,
            dates_in_past=stay.in_past,
            no_such_day=stay.no_such_day,
            reversed_stay=stay.reversed_stay,
            adults=party.adults,
            children=party.children,
            rooms=party.rooms,
            booking_ref=extract_booking_ref(text),
            guest_name=extract_guest_name(text, lang),
            email=extract_email(text),
            phone=extract_phone(text, region),
            topic=extract_topic(text, lang),
            topics=extract_topics(text, lang),
            topic_items=extract_topic_items(text, lang),
            off_topic=extract_off_topic(text, lang),
            asks_total=asks_total(text, lang),
        )
        return intent, entities
