"""What the reply screens need from the reply service, as one small interface.

The screens never talk to the API or the outbox themselves: they hold a
``ReplyBackend`` and get plain results back (``Prepared``, ``SendOutcome``), so the
flow can be tested on its own and the one rule that matters, *written to the outbox
before the POST, crossed off only on lemlist's word*, lives in the service, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.inbox.compose import Reply, ReplyTemplate
    from lemlist_inbox.inbox.outbox import OutboxEntry

__all__ = ["DraftInfo", "Prepared", "ReplyBackend", "ReplyTarget", "SendOutcome"]


@dataclass(frozen=True)
class ReplyTarget:
    """The conversation a reply answers, as the list knows it."""

    conversation_id: str
    contact_id: str
    user_id: str
    contact_name: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class DraftInfo:
    """One lemlist draft of this contact (made here or in the web app)."""

    id: str
    channel: str
    #: The draft's text as the editor should open it (HTML turned back into text).
    body: str
    subject: str = ""
    #: When it was last saved, as lemlist says it (for the choice list), or "".
    updated: str = ""


@dataclass(frozen=True)
class Prepared:
    """Everything needed to open the editor: the template, and the drafts to offer."""

    template: ReplyTemplate
    drafts: Sequence[DraftInfo] = ()
    #: Opaque to the UI: what the service needs to send (reply-to activity, sender ids).
    context: object = None


SendState = Literal["sent", "failed", "unknown", "refused", "not_saved", "not_sent"]


@dataclass(frozen=True)
class SendOutcome:
    """How a send ended; ``error`` is one sanitized line when it did not go."""

    state: SendState
    error: str = ""
    #: The outbox entry (kept unless ``sent``).
    entry_id: str | None = None
    #: The message as lemlist has it now, when the answer gave it (shown at once).
    message: Message | None = None
    #: Said beside a success (a draft that could not be deleted, …).
    notes: tuple[str, ...] = field(default=())

    @property
    def sent(self) -> bool:
        return self.state == "sent"


class ReplyBackend(Protocol):
    """The reply service as the UI uses it (see ``service_backend`` for the real one)."""

    @property
    def persistent(self) -> bool:
        """False when the outbox is only in memory (``cache = false``): said when replying."""
        ...

    async def prepare(self, target: ReplyTarget) -> Prepared: ...

    async def draft_count(self, target: ReplyTarget) -> int:
        """How many drafts the contact has for the viewing user (a light check)."""
        ...

    async def continue_draft(self, prepared: Prepared, draft: DraftInfo) -> Prepared:
        """The same reply, its template holding ``draft`` (full text, subject, Cc, id)."""
        ...

    def template_for(self, prepared: Prepared, channel: str, body: str) -> ReplyTemplate:
        """The template on ``channel`` holding ``body`` (an outbox entry edited again)."""
        ...

    def check(self, prepared: Prepared, reply: Reply) -> str | None:
        """Why ``reply`` cannot be sent from here (no sender, a Subject needed), or None."""
        ...

    def preview(self, prepared: Prepared, reply: Reply) -> Message | None:
        """``reply`` as the thread message it will be (sender, subject as posted), or None."""
        ...

    def warnings(self, prepared: Prepared) -> tuple[str, ...]:
        """Worth saying before sending (a mailbox lemlist marks disconnected...)."""
        ...

    async def send(
        self, target: ReplyTarget, prepared: Prepared, reply: Reply, text: str, *, draft_id: str | None
    ) -> SendOutcome: ...

    async def postpone(
        self, target: ReplyTarget, prepared: Prepared, reply: Reply, *, draft_id: str | None
    ) -> str:
        """Create or update the lemlist draft; its id. Raises with a sentence on failure."""
        ...

    def waiting(self) -> list[OutboxEntry]:
        """What the outbox holds, oldest first."""
        ...

    async def retry(self, entry: OutboxEntry, *, confirmed_not_sent: bool = False) -> SendOutcome: ...

    async def appears_sent(self, entry: OutboxEntry) -> bool:
        """Whether the thread already holds ``entry`` (a timed-out send that went)."""
        ...

    def confirm_sent(self, entry: OutboxEntry) -> None:
        """The user saw it in the thread: it went; the entry is done."""
        ...

    def discard(self, entry: OutboxEntry) -> None: ...
