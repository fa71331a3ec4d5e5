"""Hostile content for robustness tests (``DemoServer(hostile=True)``); filled in below."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lemlist_inbox.demo.data import Dataset


def hostile_conversations(dataset: Dataset) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(conversation, thread oldest first) pairs of nasty cases."""
    return []
