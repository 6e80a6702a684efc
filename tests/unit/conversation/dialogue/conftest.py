from __future__ import annotations

import pytest

from tests.unit.conversation.dialogue.desk import Desk


@pytest.fixture
async def desk() -> Desk:
    desk = Desk()
    await desk.facts.seed_if_empty()
    return desk
