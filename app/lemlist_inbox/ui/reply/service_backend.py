"""The reply service (``inbox.replies``) as the UI's ``ReplyBackend``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lemlist_inbox.ui.reply.backend import ReplyBackend
    from lemlist_inbox.ui.screens.main import MainScreen


def reply_backend(screen: MainScreen) -> ReplyBackend | None:
    """The viewing user's backend; None without a local inbox (the outbox lives there)."""
    return None
