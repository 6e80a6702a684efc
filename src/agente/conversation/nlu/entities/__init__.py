"""Deterministic, offline entity extractors for guest messages in Spanish and English.

Each extractor is a plain function of the message text (and language where it matters):

* :func:`extract_stay` - check-in, check-out and nights, placed from the hotel's today;
* :func:`extract_party` - adults, children and rooms;
* :func:`extract_email`, :func:`extract_phone`, :func:`extract_guest_name`;
* :func:`extract_booking_ref` - our "AH" + six character references;
* :func:`extract_topic` - the FAQ topic asked about;
* :func:`match_room_type` - the room type of the PMS catalog a message names.
"""

from agente.conversation.nlu.entities.booking_ref import extract_booking_ref
from agente.conversation.nlu.entities.contact import extract_email, extract_guest_name, extract_phone
from agente.conversation.nlu.entities.counts import extract_party
from agente.conversation.nlu.entities.dates import extract_stay
from agente.conversation.nlu.entities.room_type import match_room_type
from agente.conversation.nlu.entities.topic import extract_topic

__all__ = [
    "extract_booking_ref",
    "extract_email",
    "extract_guest_name",
    "extract_party",
    "extract_phone",
    "extract_stay",
    "extract_topic",
    "match_room_type",
]
