"""Signed WhatsApp deliveries as Meta sends them, and what the fault tests expect back.

:func:`delivery` builds the bytes of one webhook call carrying text messages (one or more,
of one or several guests); :func:`post_delivery` signs and posts them. Guest messages are
frequent questions whose answers are told apart by a word of the hotel's facts, so a test
can check which message a reply answers and in what order the replies came.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from agente.channels.whatsapp.signature import sign
from tests.channels.graph_double import PHONE_NUMBER_ID, TOKEN

APP_SECRET = "faults-app-secret"


def whatsapp_settings(api_base: str) -> dict[str, str]:
    """The settings that make a process take deliveries and send replies through the double."""
    return {
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "faults-verify-token",
        "WHATSAPP_ACCESS_TOKEN": TOKEN,
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "WHATSAPP_API_BASE": api_base,
    }


@dataclass(frozen=True)
class Question:
    text: str
    # A word every reply to this question contains (from the hotel facts), and no other's.
    answer_mark: str


QUESTIONS = (
    Question("What time is check-in?", "14:00"),
    Question("Do you have parking?", "garage"),
    Question("Is there wifi in the rooms?", "HotelPrime-Guest"),
    Question("Can I bring my dog?", "10 kg"),
)


def answered(text: str) -> str:
    """Which question ``text`` answers: that question's mark, or the text itself if none."""
    marks = [q.answer_mark for q in QUESTIONS if q.answer_mark in text]
    return marks[0] if len(marks) == 1 else text


def asked(text: str) -> str:
    """The mark the answer to the question ``text`` must carry."""
    return next(q.answer_mark for q in QUESTIONS if q.text == text)


@dataclass(frozen=True)
class GuestMessage:
    wa_id: str
    wamid: str
    text: str


def delivery(*messages: GuestMessage, timestamp: int = 1764403200) -> bytes:
    """One webhook body with ``messages`` (in that order) in one change, as Meta batches them."""
    contacts = [{"profile": {"name": f"Guest {m.wa_id[-4:]}"}, "wa_id": m.wa_id} for m in messages]
    unique_contacts = list({c["wa_id"]: c for c in contacts}.values())
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_NUMBER_ID},
                            "contacts": unique_contacts,
                            "messages": [
                                {
                                    "from": m.wa_id,
                                    "id": m.wamid,
                                    "timestamp": str(timestamp + n),
                                    "type": "text",
                                    "text": {"body": m.text},
                                }
                                for n, m in enumerate(messages)
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(body, ensure_ascii=False).encode()


async def post_delivery(client: httpx.AsyncClient, base_url: str, raw: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, APP_SECRET)}
    return await client.post(f"{base_url}/webhooks/whatsapp", content=raw, headers=headers)
