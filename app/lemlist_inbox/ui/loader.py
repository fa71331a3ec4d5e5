"""Feeding the store from the API: the full paged load and the one-page refresh.

Kept free of Textual so the logic (progress counting, what a refresh merges) is
plain async code; the screen runs these inside exclusive workers and turns each
callback into a repaint. Errors are not caught here: a ``LemlistError`` ends the
load with everything already merged still in the store, which is the point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lemlist_inbox.inbox.store import ConversationStore, MergeResult

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.api.models import Conversation, Page


@dataclass
class LoadProgress:
    """How far one load got: items merged this run, expected total, malformed items."""

    loaded: int = 0
    expected: int | None = None
    pages: int = 0
    skipped: int = 0
    skip_reasons: list[str] = field(default_factory=list)


PageCallback = Callable[[MergeResult, LoadProgress], None]


def _account(progress: LoadProgress, page: Page[Conversation], merged: MergeResult) -> None:
    progress.pages += 1
    progress.loaded += len(page.items)
    progress.skipped += page.skipped
    progress.skip_reasons.extend(page.skip_reasons[: max(0, 5 - len(progress.skip_reasons))])
    total = page.pagination.total_items
    if total is not None:
        progress.expected = max(total, progress.loaded)


async def load_all(
    client: LemlistClient,
    store: ConversationStore,
    user_id: str,
    *,
    page_size: int,
    on_page: PageCallback,
) -> LoadProgress:
    """Merge every page into the store as it arrives, calling ``on_page`` after each."""
    progress = LoadProgress()
    async for page in client.iter_conversation_pages(user_id, limit=page_size):
        merged = store.merge(page.items)
        _account(progress, page, merged)
        on_page(merged, progress)
    return progress


async def refresh_first_page(
    client: LemlistClient, store: ConversationStore, user_id: str, *, page_size: int
) -> tuple[MergeResult, LoadProgress]:
    """Fetch page 1 only and merge it: new activity rises to the top, nothing is lost."""
    page = await client.conversations_page(user_id, 1, limit=page_size)
    merged = store.merge(page.items)
    progress = LoadProgress()
    _account(progress, page, merged)
    return merged, progress
