"""Replying, without Textual: the defaults a reply starts from, the send through the outbox,
what to do after a timeout, and lemlist drafts. The CLI and the TUI both use this.

The rules it keeps, and why:

* **Defaults come from the thread** (``ReplyService.context``): the channel of the latest
  message; an email answers the latest email activity (``replyToActivityId``) from the
  mailbox that last wrote to the lead (``sendUserId``/``sendUserEmail``/
  ``sendUserMailboxId`` of the thread, else ``GET /users/{userId}``'s mailboxes); LinkedIn
  and WhatsApp go to the thread's lead (``leadId``) from the sender's account. A channel
  the thread cannot answer on is left out, with the reason in ``unavailable``.
* **Written down before it is sent** (``send``): the POST body goes into the outbox of
  the local inbox first (``inbox.outbox``), exactly as it will be sent; only then does the
  request start. lemlist's confirmation removes it and returns the sent message (built
  locally, marked ``lemlistInboxLocal``) so a caller shows it at once; it is also added to
  the stored thread and the conversation moves to the top of the list (the stored thread
  stays older than the conversation, so the next open fetches lemlist's copy).
* **Never sent twice**: a failure keeps the entry ``failed`` (certainly not sent: retry
  with ``retry``); a timeout or an unclear answer keeps it ``unknown`` and nothing resends
  it by itself: ``check_unknown`` fetches the thread and says whether the reply is there,
  then the user decides (``confirm_sent``, or ``retry(..., confirmed_not_sent=True)``).
* **Email is HTML, escaped** (``compose.text_to_html``): nothing typed is markup. LinkedIn
  and WhatsApp carry the text as typed (those channels are plain text).
* **Drafts** are lemlist's (``save_draft``, ``drafts``, ``open_draft``, ``delete_draft``),
  owned by the viewing user (``draftOwner``), so the web app shows them too; a reply sent
  from a draft (``send(..., draft_id=...)``) deletes it once lemlist confirmed the send.
  The 30 KB and 10-drafts limits are said before asking when they can be
  (``DraftLimitError``).

The defaults themselves are built in ``inbox.reply_context`` (``ReplyContext``, ``Sender``,
``DraftText`` and ``ReplyError`` live there and are re-exported here).

Public API (stable; the TUI builds on it)::

    service = ReplyService(client, inbox)          # client: LemlistClient, inbox: LocalInbox
    service.persistent -> bool                     # False (cache = false): the outbox is in memory
    service.recover() -> list[OutboxEntry]         # at start: "sending" for 2+ min (a crash) -> "unknown"
    ctx = await service.context(contact_id, thread=None, conversation=None)
                                                    # ReplyContext; fetches the thread if None;
                                                    # conversation: the list's Entry, if at hand
    ctx.template(channel=None, body="", draft=None) -> ReplyTemplate  # for compose.render_template
    ctx.payload(reply) -> dict                      # the POST body a Reply becomes
    service.preview(ctx, reply) -> list[str]        # what will be sent, as lines (CLI, review)
    service.preview_message(ctx, reply) -> Message  # the same as a thread message (TUI review)
    outcome = await service.send(ctx, reply, draft_id=None)  # SendOutcome: sent | failed | unknown
    outcome = await service.retry(entry_id, confirmed_not_sent=False)
    check = await service.check_unknown(entry_id)   # UnknownCheck: .appeared, .entry
    service.confirm_sent(entry_id); service.discard(entry_id); service.entries(contact_id=None)
    await service.drafts(contact_id) -> list[Draft]
    await service.open_draft(contact_id, draft_id) -> DraftText
    await service.save_draft(ctx, reply, draft_id=None) -> str (the draft id)
    await service.delete_draft(contact_id, draft_id)

Call it on the event loop that draws the list: a confirmed send merges the moved
conversation into ``inbox.store`` (the thread and the file are written in worker threads).

``ReplyError`` is refused before anything is sent (empty or unchanged text is
``compose.ComposeError``); the client's ``LemlistError`` types come through from the
draft calls and ``context`` (a fetch that failed).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lemlist_inbox.api.errors import LemlistError, UncertainWriteError, describe_error
from lemlist_inbox.api.ids import check_id
from lemlist_inbox.api.writes import DRAFT_LIMIT
from lemlist_inbox.inbox.compose import CHANNELS, ComposeError, Reply, check_body
from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.outbox import Outbox, OutboxEntry
from lemlist_inbox.inbox.reply_context import (
    ContextBuilder,
    DraftText,
    ReplyContext,
    ReplyError,
    Sender,
    html_text,
    rendered_body,
)
from lemlist_inbox.render.sanitize import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.api.client import Thread
    from lemlist_inbox.api.models import Draft, Message, SendResult, User
    from lemlist_inbox.inbox.local import LocalInbox
    from lemlist_inbox.inbox.store import Entry

__all__ = [
    "DraftText",
    "ReplyClient",
    "ReplyContext",
    "ReplyError",
    "ReplyService",
    "SendOutcome",
    "Sender",
    "UnknownCheck",
]

#: Marks a message this app built after a confirmed send, until lemlist's copy replaces it.
LOCAL_MARK = "lemlistInboxLocal"
_SENT_TYPES = {"email": "emailsSent", "linkedin": "linkedinSent", "whatsapp": "whatsappSent"}


class ReplyClient(Protocol):
    """What the service needs of ``LemlistClient`` (a test may pass another)."""

    async def thread(self, contact_id: str, *, user_id: str | None = None) -> Thread: ...
    async def user(self, user_id: str) -> User: ...
    async def send_payload(self, channel: str, payload: dict[str, Any]) -> SendResult: ...
    async def drafts(self, contact_id: str, owner: str) -> list[Draft]: ...
    async def draft(self, contact_id: str, draft_id: str, owner: str) -> Draft: ...
    async def create_draft(self, contact_id: str, owner: str, fields: dict[str, Any]) -> str: ...
    async def update_draft(
        self, contact_id: str, draft_id: str, owner: str, fields: dict[str, Any]
    ) -> Draft | None: ...
    async def delete_draft(self, contact_id: str, draft_id: str, owner: str) -> None: ...


@dataclass(frozen=True)
class SendOutcome:
    """How a send went: ``sent`` (``message`` to show), ``failed`` or ``unknown`` (kept in ``entry``)."""

    state: Literal["sent", "failed", "unknown"]
    entry: OutboxEntry | None
    error: str = ""
    message: Message | None = None
    #: Said after a send from a draft whose deletion failed (the send itself went).
    note: str = ""

    @property
    def sent(self) -> bool:
        return self.state == "sent"


@dataclass(frozen=True)
class UnknownCheck:
    """Whether a reply whose send had no answer shows in the thread now."""

    entry: OutboxEntry
    appeared: bool
    thread: Thread


def _iso(stamp: float) -> str:
    moment = datetime.fromtimestamp(stamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _stamp(message: Message) -> float | None:
    created = message.created
    if created is None:
        return None
    try:
        return created.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


class ReplyService:
    """Replies of one viewing user through one local inbox (see the module docstring)."""

    def __init__(
        self, client: ReplyClient, inbox: LocalInbox, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._client = client
        self.inbox = inbox
        self._clock = clock
        db = inbox.db
        #: False with ``cache = false`` (or an unusable file): the outbox lives in memory, so
        #: an unsent reply is kept only while the process runs (callers say so).
        self.persistent = db is not None
        self._db = db if db is not None else InboxDatabase.open(None)
        self.outbox = Outbox(self._db, clock=clock)
        self._contexts: dict[str, ReplyContext] = {}

    @property
    def user_id(self) -> str:
        return self.inbox.user_id

    # -- outbox --------------------------------------------------------------------

    def recover(self) -> list[OutboxEntry]:
        """At start: what waits; an entry left "sending" by a crash becomes "unknown"."""
        return self.outbox.recover()

    def entries(self, contact_id: str | None = None) -> list[OutboxEntry]:
        return self.outbox.entries(contact_id)

    def confirm_sent(self, entry_id: str) -> None:
        """The user saw the reply in the thread: it went, the entry is done."""
        self.outbox.sent(entry_id)

    def discard(self, entry_id: str) -> None:
        """The user gives up on this reply (the text goes with it)."""
        self.outbox.discard(entry_id)

    # -- context -------------------------------------------------------------------

    async def context(
        self, contact_id: str, *, thread: Thread | None = None, conversation: Entry | None = None
    ) -> ReplyContext:
        """The defaults for a reply to ``contact_id`` (see the module docstring).

        Without ``thread`` the thread is fetched (and stored): a reply must answer the
        latest activity, which a stored copy may not hold. ``conversation`` is the list's
        row when the caller has it (the TUI): the contact's name, its conversation id and
        last activity come from it, else from the stored row.
        """
        check_id(contact_id, "contact id")
        db = self.inbox.db
        stored = db.conversation_for_contact(contact_id) if db is not None and conversation is None else None
        contact = conversation.contact if conversation is not None else (stored.contact if stored else None)
        name = ""
        email = ""
        if contact is not None:
            full = contact[1] or " ".join(p for p in (contact[2], contact[3]) if p)
            name, email = (full or "").strip(), contact[4] or ""
        conversation_id = conversation.id if conversation is not None else (stored.id if stored else None)
        activity = -math.inf
        if conversation is not None:
            activity = -conversation.key[0]
        elif stored is not None:
            activity = stored.activity
        if thread is None:
            thread = await self._client.thread(contact_id)
            await self.inbox.threads.save(contact_id, thread, activity=activity, contact_name=name or None)
        context = await ContextBuilder(self.user_id, self._client.user).build(
            contact_id,
            thread.messages,
            conversation_id=conversation_id,
            name=name,
            email=email,
            activity=activity,
        )
        self._contexts[contact_id] = context
        return context

    # -- sending -------------------------------------------------------------------

    def preview(self, context: ReplyContext, reply: Reply) -> list[str]:
        """What will be sent, as plain lines: the header block, then the text as rendered."""
        payload = context.payload(reply)
        lines = [
            f"To: {context.to(reply.channel)}",
            f"Channel: {reply.channel}",
            f"From: {context.sender_line(reply.channel)}",
        ]
        if reply.channel == "email":
            subject = payload.get("subject", context.subject)
            lines.append(f"Subject: {sanitize_line(str(subject), 500)}")
            cc = payload.get("cc", list(context.cc))
            lines.append(f"Cc: {', '.join(sanitize_line(str(a), 200) for a in cc) or '-'}")
            if context.reply_to_activity_id:
                lines.append(f"In reply to: {sanitize_line(context.reply_to_activity_id, 100)}")
        lines.append("")
        from lemlist_inbox.render.sanitize import sanitize

        if reply.channel != "email":
            lines.extend(sanitize(reply.body).splitlines())
        else:
            body = rendered_body(payload["message"])
            lines.extend(body.text.splitlines())
            if body.quoted:
                lines.append("")
                if body.quote_header:
                    lines.append(body.quote_header)
                lines.extend(f"> {line}" if line else ">" for line in body.quoted.splitlines())
        lines.extend(f"warning: {w}" for w in (*context.warnings, *reply.warnings))
        return lines

    async def send(self, context: ReplyContext, reply: Reply, *, draft_id: str | None = None) -> SendOutcome:
        """Write ``reply`` to the outbox, then send it (see the module docstring)."""
        check_body(reply.body)
        payload = context.payload(reply)
        entry = self.outbox.add(
            contact_id=context.contact_id,
            user_id=context.user_id,
            channel=reply.channel,
            payload=payload,
            text=reply.body,
            conversation_id=context.conversation_id,
            draft_id=draft_id,
        )
        if entry is None:
            why = self._db.degraded or "the local inbox cannot be written"
            raise ReplyError(f"not sent: the reply could not be saved first ({why})")
        return await self._deliver(entry, context)

    async def retry(self, entry_id: str, *, confirmed_not_sent: bool = False) -> SendOutcome:
        """Send a waiting entry again; an "unknown" one only with the user's word."""
        entry = self.outbox.get(entry_id)
        if entry is None:
            raise ReplyError("this reply is no longer in the outbox (sent or discarded)")
        if entry.state == "unknown" and not confirmed_not_sent:
            raise ReplyError("this reply may have been sent already (no answer came): check the thread first")
        if entry.state == "sending":
            raise ReplyError("this reply is being sent right now")
        if entry.state != "pending":
            self.outbox.retry(entry_id, confirmed_not_sent=confirmed_not_sent)
        return await self._deliver(entry, self._contexts.get(entry.contact_id))

    async def _deliver(self, entry: OutboxEntry, context: ReplyContext | None) -> SendOutcome:
        if not self.outbox.begin_send(entry.id):
            current = self.outbox.get(entry.id)
            state = current.state if current is not None else "gone"
            raise ReplyError(f"not sent: this reply is {state} (another send may be under way)")
        try:
            await self._client.send_payload(entry.channel, dict(entry.payload))
        except UncertainWriteError as exc:
            self.outbox.unknown(entry.id, describe_error(exc))
            return SendOutcome("unknown", self.outbox.get(entry.id), describe_error(exc))
        except LemlistError as exc:
            self.outbox.failed(entry.id, describe_error(exc))
            return SendOutcome("failed", self.outbox.get(entry.id), describe_error(exc))
        except BaseException as exc:  # cancelled, Ctrl+C, a bug: it may be out
            self.outbox.unknown(entry.id, f"interrupted while sending ({describe_error(exc)})")
            raise
        self.outbox.sent(entry.id)
        message = self._local_message(entry, context)
        with contextlib.suppress(Exception):  # the send went; a store hiccup must not say otherwise
            await self._remember(entry, message)
        note = ""
        if entry.draft_id:
            try:
                await self._client.delete_draft(entry.contact_id, entry.draft_id, entry.user_id)
            except LemlistError as exc:
                note = f"sent, but its draft could not be deleted ({describe_error(exc)})"
        return SendOutcome("sent", None, message=message, note=note)

    def preview_message(self, context: ReplyContext, reply: Reply) -> Message:
        """``reply`` as a thread message, before it is sent: for a review that shows it
        exactly as the thread pane will (render it with ``render.render_message``)."""
        return self._as_message("preview", reply.channel, context.contact_id, context.payload(reply), context)

    def _local_message(self, entry: OutboxEntry, context: ReplyContext | None) -> Message:
        """The sent message as the thread will show it until lemlist's copy arrives."""
        return self._as_message(f"local_{entry.id}", entry.channel, entry.contact_id, entry.payload, context)

    def _as_message(
        self,
        ident: str,
        channel: str,
        contact_id: str,
        payload: Mapping[str, Any],
        context: ReplyContext | None,
    ) -> Message:
        from lemlist_inbox.api.models import Message

        sender = context.senders.get(channel) if context is not None else None
        raw: dict[str, Any] = {
            "_id": ident,
            "type": _SENT_TYPES.get(channel, "emailsSent"),
            "createdAt": _iso(self._clock()),
            "contactId": contact_id,
            "leadId": payload.get("leadId") or (context.lead_id if context else None),
            "sendUserId": payload.get("sendUserId"),
            "sendUserName": sender.name if sender is not None and sender.name else None,
            "sendUserEmail": payload.get("sendUserEmail") or (sender.email if sender else None),
            "sendUserMailboxId": payload.get("sendUserMailboxId"),
            "leadEmail": context.contact_email if context is not None and context.contact_email else None,
            "message": payload.get("message"),
            "attachments": [],
            LOCAL_MARK: True,
        }
        if channel == "email":
            raw["subject"] = payload.get("subject") or (context.subject if context else None)
            raw["cc"] = payload.get("cc", list(context.cc) if context else [])
        return Message.model_validate({k: v for k, v in raw.items() if v is not None})

    async def _remember(self, entry: OutboxEntry, message: Message) -> None:
        """Put the sent message in the stored thread and the conversation at the top."""
        from lemlist_inbox.api.client import Thread

        copy = await self.inbox.threads.load(entry.contact_id)
        messages = [*(copy.thread.messages if copy is not None else []), message]
        # Stored as of its old activity: the conversation moves past it, so the next open
        # fetches lemlist's own copy of the message (the local one is shown meanwhile).
        activity = copy.activity if copy is not None else -math.inf
        await self.inbox.threads.save(entry.contact_id, Thread(messages=messages), activity=activity)
        self._bump(entry, message.created_at or _iso(self._clock()))

    def _bump(self, entry: OutboxEntry, when: str) -> None:
        from lemlist_inbox.api.models import Conversation
        from lemlist_inbox.inbox.rows import stored_row

        db = self.inbox.db
        store = self.inbox.store
        conversation_id = entry.conversation_id
        if conversation_id is None and db is not None:
            row = db.conversation_for_contact(entry.contact_id)
            conversation_id = row.id if row is not None else None
        if conversation_id is None:
            return
        conversation: Conversation | None = None
        raw = db.raw_conversation(conversation_id) if db is not None else None
        if raw is not None:
            raw["lastActivityAt"] = when
            conversation = Conversation.model_validate(raw, context={"user_id": self.user_id})
        elif (listed := store.get(conversation_id)) is not None:
            conversation = listed.conversation
            conversation.last_activity_at = when
        if conversation is None:
            return
        store.merge([conversation])
        if db is not None:
            db.save_conversations([stored_row(conversation)])

    async def check_unknown(self, entry_id: str) -> UnknownCheck:
        """Fetch the thread and say whether the reply of an "unknown" entry is in it."""
        entry = self.outbox.get(entry_id)
        if entry is None:
            raise ReplyError("this reply is no longer in the outbox (sent or discarded)")
        from lemlist_inbox.api.models import Direction

        thread = await self._client.thread(entry.contact_id)
        texts: list[tuple[float | None, str]] = []
        for message in thread.messages:
            if message.direction is Direction.SENT and message.channel == entry.channel:
                text, _quoted = html_text(message.message or "")
                texts.append((_stamp(message), text))
        return UnknownCheck(entry, Outbox.appears_in(entry, texts), thread)

    # -- drafts --------------------------------------------------------------------

    async def drafts(self, contact_id: str) -> list[Draft]:
        """The viewing user's drafts for this conversation (made here or in the web app)."""
        return await self._client.drafts(contact_id, self.user_id)

    async def open_draft(self, contact_id: str, draft_id: str) -> DraftText:
        """One draft with its content as text, to continue (``ReplyContext.template(draft=...)``)."""
        draft = await self._client.draft(contact_id, draft_id, self.user_id)
        body, _quoted = html_text(draft.content or "")
        channel = draft.channel if draft.channel in CHANNELS else "email"
        return DraftText(draft, channel, body.strip("\n"), draft.subject or "", tuple(draft.cc))

    async def save_draft(self, context: ReplyContext, reply: Reply, *, draft_id: str | None = None) -> str:
        """Create a lemlist draft of ``reply`` (or update ``draft_id``); returns its id."""
        if not reply.body.strip():
            raise ComposeError("the draft is empty: nothing to save")
        content = reply.html if reply.channel == "email" else reply.body
        fields: dict[str, Any] = {"content": content}
        if reply.channel == "email":
            fields["subject"] = reply.subject
            fields["cc"] = list(reply.cc)
            if context.reply_to_activity_id:
                fields["replyToActivityId"] = context.reply_to_activity_id
        if draft_id is not None:
            await self._client.update_draft(context.contact_id, draft_id, self.user_id, fields)
            return draft_id
        from lemlist_inbox.api.errors import DraftLimitError
        from lemlist_inbox.api.writes import draft_limit_message

        existing = await self._client.drafts(context.contact_id, self.user_id)
        if len(existing) >= DRAFT_LIMIT:
            raise DraftLimitError(draft_limit_message(context.contact_id))
        return await self._client.create_draft(
            context.contact_id, self.user_id, {"channel": reply.channel, **fields}
        )

    async def delete_draft(self, contact_id: str, draft_id: str) -> None:
        await self._client.delete_draft(contact_id, draft_id, self.user_id)
