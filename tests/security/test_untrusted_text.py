"""Text that looks like SQL, markup or a template is data: stored as written, returned as JSON
strings, shown by the chat page as text, never run."""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import select

from agente.storage import db
from agente.storage.models import Message
from tests.conftest import embedded_settings, running
from tests.e2e import test_chat_browser

HOSTILE = [
    "'; DROP TABLE guests;--",
    "<script>alert(1)</script>",
    "{{7*7}} ${7*7} <%= 7*7 %> #{7*7}",
    '<img src=x onerror="alert(document.cookie)">',
    "Robert'); DELETE FROM messages WHERE ('1'='1",
    "\u202eevil\u202c \x00 nul",
]


async def test_hostile_text_is_stored_verbatim_and_echoed_as_data(tmp_path: Path) -> None:
    async with running(embedded_settings(tmp_path)) as svc:
        for index, text in enumerate(HOSTILE):
            response = await svc.client.post("/api/messages", json={"guest_id": f"web-{index}", "text": text})
            assert response.status_code in (200, 422), text
            assert response.headers["content-type"] == "application/json"
            if response.status_code == 200:
                assert "49" not in response.json()["reply"]["text"]  # no template was evaluated
        parsed = await svc.client.post("/api/nlu/parse", json={"text": HOSTILE[1]})
        async with db.session_scope(svc.container.session_factory) as session:
            stored = set((await session.execute(select(Message.text).where(Message.direction == "in"))).scalars())
        still = await svc.client.post("/api/messages", json={"guest_id": "web-after", "text": "hola"})
    assert parsed.status_code == 200 and parsed.headers["content-type"] == "application/json"
    accepted = {text for text in HOSTILE if "\x00" not in text}
    assert accepted <= stored  # byte for byte, as the guest wrote it
    assert still.status_code == 200  # the tables are all still there


def test_the_chat_page_never_writes_untrusted_text_as_html() -> None:
    page = resources.files("agente.channels.web").joinpath("chat.html").read_text("utf-8")
    script = page[page.index("<script>") : page.index("</script>")]
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    # Every text a message shows is assigned through textContent.
    assert re.search(r"\.textContent\s*=\s*text\b", script)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The served page, in its own process, as the browser test of the chat starts it.
server = test_chat_browser.server


@pytest.mark.e2e
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_markup_typed_in_the_chat_is_shown_not_rendered(server: tuple[str, Path]) -> None:
    base, _ = server
    payload = "<img src=x onerror=\"document.body.dataset.pwned='1'\"><b id=injected>hi</b>"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            page.goto(f"{base}/chat")
            before = page.locator(".msg.bot").count()
            page.fill("#text", payload)
            page.click("#send")
            page.wait_for_function(f"document.querySelectorAll('.msg.bot').length > {before}", timeout=15_000)
            shown = page.locator(".msg.guest").last.inner_text()
            injected = page.evaluate("document.querySelectorAll('#log img, #injected').length")
            pwned = page.evaluate("document.body.dataset.pwned || ''")
        finally:
            browser.close()
    assert shown == payload and injected == 0 and pwned == ""
