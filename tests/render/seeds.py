"""The example thread from lemlist's API docs (three real messages), as Message objects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lemlist_inbox.api.models import Message

_PATH = Path(__file__).with_name("seed_thread.json")


def raw_messages() -> list[dict[str, Any]]:
    """Newest first, as the API returns them."""
    data: list[dict[str, Any]] = json.loads(_PATH.read_text(encoding="utf-8"))
    return data


def seed_messages() -> list[Message]:
    """Oldest first, as the client hands them to the renderer."""
    return [Message.model_validate(m) for m in reversed(raw_messages())]


def html_of(message_id: str) -> str:
    for message in raw_messages():
        if message["_id"] == message_id:
            return str(message["message"])
    raise KeyError(message_id)


FIRST_SENT = "act_mjdoySn9mkfbcMS5e"  # Christophe's campaign mail, 3 Dec 09:52
REPLY = "act_7yfGhxmPfKbxZaWHa"  # Victoire's reply with the Gmail quote
MEET_ME = "act_vRoP8AMFMxqfSeDjR"  # Camille's mail, 5 Dec, with a tracking pixel
