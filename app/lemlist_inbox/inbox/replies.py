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

Public API (stable; the TUI builds on it)::

    service = ReplyService(client, inbox)          # client: LemlistClient, inbox: LocalInbox
    service.recover() -> list[OutboxEntry]         # at start: "sending" left by a crash -> "unknown"
    ctx = await service.context(contact_id, thread=None)   # ReplyContext (fetches the thread if None)
    ctx.template(channel=None, body="", draft=None) -> ReplyTemplate  # for compose.render_template
    ctx.payload(reply) -> dict                      # the POST body a Reply becomes
    service.preview(ctx, reply) -> list[str]        # what will be sent, as lines (CLI, review)
    outcome = await service.send(ctx, reply, draft_id=None)  # SendOutcome: sent | failed | unknown
    outcome = await service.retry(entry_id, confirmed_not_sent=False)
    check = await service.check_unknown(entry_id)   # UnknownCheck: .appeared, .entry
    service.confirm_sent(entry_id); service.discard(entry_id); service.entries(contact_id=None)
    await service.drafts(contact_id) -> list[Draft]
    await service.open_draft(contact_id, draft_id) -> DraftText
    await service.save_draft(ctx, reply, draft_id=None) -> str (the draft id)
    await service.delete_draft(contact_id, draft_id)

``ReplyError`` is refused before anything is sent (empty or unchanged text is
``compose.ComposeError``); the client's ``LemlistError`` types come through from the
draft calls and ``context`` (a fetch that failed).
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from lemlist_inbox.api.errors import LemlistError, UncertainWriteError, describe_error
from lemlist_inbox.api.ids import check_id
from lemlist_inbox.api.writes import (
    DRAFT_LIMIT,
    email_payload,
    linkedin_payload,
    whatsapp_payload,
)
from lemlist_inbox.inbox.compose import CHANNELS, ComposeError, Reply, ReplyTemplate
from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.outbox import Outbox, OutboxEntry
from lemlist_inbox.render.sanitize import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.api.client import Thread
    from lemlist_inbox.api.models import Draft, Message, SendResult, User
    from lemlist_inbox.inbox.local import LocalInbox

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

#: The field lemlist's threads may carry for the WhatsApp account a message went from.
_WHATSAPP_FIELDS = ("sendUserWhatsappAccountId", "whatsappAccountId")
#: Marks a message this app built after a confirmed send, until lemlist's copy replaces it.
LOCAL_MARK = "lemlistInboxLocal"
_SENT_TYPES = {"email": "emailsSent", "linkedin": "linkedinSent", "whatsapp": "whatsappSent"}
_LINK_NUMBER = re.compile(r"\s?\[\d+\]")


class ReplyError(Exception):
    """The reply cannot be sent as asked (nothing was sent); the message says why."""


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
class Sender:
    """Who a reply goes from on one channel (ids exactly as lemlist gave them)."""

    user_id: str
    name: str = ""
    email: str = ""
    mailbox_id: str = ""
    whatsapp_account_id: str = ""

    def shown(self) -> str:
        name, email = sanitize_line(self.name, 200), sanitize_line(self.email, 200)
        if name and email:
            return f"{name} <{email}>"
        return name or email or sanitize_line(self.user_id, 200)


@dataclass(frozen=True)
class ReplyContext:
    """Everything a reply to one conversation starts from (``ReplyService.context``)."""

    contact_id: str
    conversation_id: str | None
    #: The viewing user: whose outbox and whose drafts (``draftOwner``).
    user_id: str
    contact_name: str
    contact_email: str
    lead_id: str | None
    #: Channels a reply can go through here, the default first.
    channels: tuple[str, ...]
    #: Channel -> why a reply cannot go through it (for the user).
    unavailable: dict[str, str]
    senders: dict[str, Sender]
    lead_ids: dict[str, str] = field(default_factory=dict)
    #: The latest email activity: what an email reply answers.
    reply_to_activity_id: str | None = None
    #: The thread's subject as a reply's ("Re: ..."); lemlist reuses it when left out.
    subject: str = ""
    #: The thread's Cc when known; lemlist inherits it when left out.
    cc: tuple[str, ...] = ()
    #: The message answered (email), as text, and its attribution line.
    quoted: str = ""
    attribution: str = ""
    #: Things worth saying before sending (a mailbox lemlist marks as disconnected...).
    warnings: tuple[str, ...] = ()
    #: The conversation's last activity when this was built (POSIX time; -inf unknown).
    activity: float = -math.inf
    contact_detail: dict[str, str] = field(default_factory=dict)

    @property
    def default_channel(self) -> str:
        return self.channels[0] if self.channels else "email"

    def to(self, channel: str | None = None) -> str:
        """The recipient as shown in the header block (sanitized)."""
        channel = channel or self.default_channel
        name = sanitize_line(self.contact_name, 200)
        detail = sanitize_line(
            self.contact_email if channel == "email" else self.contact_detail.get(channel), 200
        )
        if name and detail and name.lower() != detail.lower():
            return f"{name} <{detail}>"
        return name or detail or sanitize_line(self.contact_id, 200)

    def sender_line(self, channel: str | None = None) -> str:
        sender = self.senders.get(channel or self.default_channel)
        return sender.shown() if sender is not None else "(no sender known)"

    def template(
        self, channel: str | None = None, *, body: str = "", draft: DraftText | None = None
    ) -> ReplyTemplate:
        """What the editor opens with; a continued ``draft`` brings its text, subject and Cc."""
        chosen = channel or (draft.channel if draft is not None else None) or self.default_channel
        if chosen not in self.channels:
            raise ReplyError(self.unavailable.get(chosen) or f"cannot reply on {chosen} here")
        others = tuple(c for c in self.channels if c != chosen)
        subject, cc = self.subject, self.cc
        if draft is not None:
            body = draft.body
            subject = draft.subject or subject
            cc = draft.cc if draft.cc else cc
        return ReplyTemplate(
            to=self.to(chosen),
            channel=chosen,
            sender=self.sender_line(chosen),
            subject=sanitize_line(subject, 500),
            cc=cc,
            body=body,
            quoted=self.quoted if chosen == "email" else "",
            attribution=self.attribution,
            channels=(chosen, *others),
            draft_id=draft.draft.id if draft is not None else None,
        )

    def payload(self, reply: Reply) -> dict[str, Any]:
        """The POST body ``reply`` becomes (``api.writes``); ``ReplyError`` if the channel cannot."""
        channel = reply.channel
        if channel not in self.channels:
            raise ReplyError(self.unavailable.get(channel) or f"cannot reply on {channel} here")
        sender = self.senders[channel]
        if channel == "email":
            subject = reply.subject.strip()
            if not self.reply_to_activity_id and not subject:
                raise ReplyError("this starts a new email thread: it needs a Subject")
            return email_payload(
                contact_id=self.contact_id,
                send_user_id=sender.user_id,
                send_user_email=sender.email,
                send_user_mailbox_id=sender.mailbox_id,
                message=reply.html,
                reply_to_activity_id=self.reply_to_activity_id,
                # Left out when unchanged: lemlist then threads it under the thread's own.
                subject=subject
                if subject and (subject != self.subject or not self.reply_to_activity_id)
                else None,
                cc=list(reply.cc) if tuple(reply.cc) != tuple(self.cc) else None,
            )
        lead = self.lead_ids.get(channel) or self.lead_id
        assert lead is not None  # a channel without a lead is not in ``channels``
        if channel == "linkedin":
            return linkedin_payload(
                contact_id=self.contact_id, lead_id=lead, send_user_id=sender.user_id, message=reply.body
            )
        return whatsapp_payload(
            contact_id=self.contact_id,
            lead_id=lead,
            send_user_id=sender.user_id,
            account_id=sender.whatsapp_account_id,
            message=reply.body,
        )


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


@dataclass(frozen=True)
class DraftText:
    """A lemlist draft read back as text to continue in the editor."""

    draft: Draft
    channel: str
    body: str
    subject: str
    cc: tuple[str, ...]


def _iso(stamp: float) -> str:
    moment = datetime.fromtimestamp(stamp, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _extra(message: Message, names: Sequence[str]) -> str | None:
    extra = message.model_extra or {}
    for name in names:
        value = extra.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _stamp(message: Message) -> float | None:
    created = message.created
    if created is None:
        return None
    try:
        return created.timestamp()
    except (OverflowError, OSError, ValueError):
        return None


def _reply_subject(subject: str | None) -> str:
    base = (subject or "").strip()
    if not base:
        return ""
    return base if base.lower().startswith("re:") else f"Re: {base}"


def html_text(html: str) -> tuple[str, str]:
    """(text, quoted) of a draft's or message's HTML, as the thread pane reads it."""
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.render.message import body_of

    body = body_of(Message.model_validate({"_id": "text", "message": html}))
    return _LINK_NUMBER.sub("", body.text), _LINK_NUMBER.sub("", body.quoted or "")


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

    async def context(self, contact_id: str, *, thread: Thread | None = None) -> ReplyContext:
        """The defaults for a reply to ``contact_id`` (see the module docstring).

        Without ``thread`` the thread is fetched (and stored): a reply must answer the
        latest activity, which a stored copy may not hold.
        """
        check_id(contact_id, "contact id")
        db = self.inbox.db
        stored = db.conversation_for_contact(contact_id) if db is not None else None
        entry = self.inbox.store.get(stored.id) if stored is not None else None
        contact = stored.contact if stored is not None else (entry.contact if entry is not None else None)
        name = ""
        email = ""
        if contact is not None:
            full = contact[1] or " ".join(p for p in (contact[2], contact[3]) if p)
            name, email = (full or "").strip(), contact[4] or ""
        activity = stored.activity if stored is not None else -math.inf
        if thread is None:
            thread = await self._client.thread(contact_id)
            await self.inbox.threads.save(
                contact_id,
                thread,
                activity=activity if stored is not None else -math.inf,
                contact_name=name or None,
            )
        context = await self._build(
            contact_id,
            thread.messages,
            conversation_id=stored.id if stored is not None else None,
            name=name,
            email=email,
            activity=activity,
        )
        self._contexts[contact_id] = context
        return context

    async def _build(
        self,
        contact_id: str,
        messages: Sequence[Message],
        *,
        conversation_id: str | None,
        name: str,
        email: str,
        activity: float,
    ) -> ReplyContext:
        from lemlist_inbox.api.models import Direction

        talk = [
            m
            for m in messages
            if m.channel in CHANNELS and m.direction in (Direction.SENT, Direction.RECEIVED)
        ]
        present = [c for c in CHANNELS if any(m.channel == c for m in talk)]
        email = email or next((m.lead_email for m in reversed(messages) if m.lead_email), None) or ""
        if "email" not in present and email:
            present.append("email")
        latest = talk[-1].channel if talk else "email"
        unavailable: dict[str, str] = {}
        senders: dict[str, Sender] = {}
        leads: dict[str, str] = {}
        warnings: list[str] = []
        any_lead = next((m.lead_id for m in reversed(messages) if m.lead_id), None)
        for channel in present:
            lead = next((m.lead_id for m in reversed(talk) if m.channel == channel and m.lead_id), None)
            if lead or any_lead:
                leads[channel] = lead or any_lead or ""
        emails = [m for m in talk if m.channel == "email"]
        answered = emails[-1] if emails else None
        detail: dict[str, str] = {}
        for m in reversed(messages):
            if m.channel == "linkedin" and "linkedin" not in detail:
                url = _extra(m, ("fromLinkedinUrl", "leadLinkedinUrl"))
                if url:
                    detail["linkedin"] = url
            if m.channel == "whatsapp" and "whatsapp" not in detail:
                phone = _extra(m, ("fromPhone", "leadPhone"))
                if phone:
                    detail["whatsapp"] = phone
        for channel in present:
            try:
                senders[channel] = await self._sender(channel, talk, messages, warnings)
            except ReplyError as exc:
                unavailable[channel] = str(exc)
                continue
            if channel != "email" and channel not in leads:
                del senders[channel]
                unavailable[channel] = f"no lead id in this thread: a {channel} reply cannot be addressed"
        for channel in CHANNELS:
            if channel not in present:
                unavailable[channel] = f"this conversation has no {channel} messages"
        usable = [c for c in present if c in senders]
        usable.sort(key=lambda c: c != latest)
        quoted, attribution = "", ""
        if answered is not None:
            from lemlist_inbox.render.message import format_when, render_message

            rendered = render_message(answered, contact_name=name or None)
            quoted = _LINK_NUMBER.sub("", rendered.body.text).strip()
            if quoted:
                attribution = f"On {format_when(rendered.when)}, {rendered.from_line} wrote:"
        cc_raw = (answered.model_extra or {}).get("cc") if answered is not None else None
        cc = tuple(a for a in cc_raw if isinstance(a, str))[:50] if isinstance(cc_raw, list) else ()
        return ReplyContext(
            contact_id=contact_id,
            conversation_id=conversation_id,
            user_id=self.user_id,
            contact_name=name,
            contact_email=email,
            lead_id=any_lead,
            channels=tuple(usable),
            unavailable=unavailable,
            senders=senders,
            lead_ids=leads,
            reply_to_activity_id=answered.id if answered is not None else None,
            subject=_reply_subject(answered.subject) if answered is not None else "",
            cc=cc,
            quoted=quoted,
            attribution=attribution,
            warnings=tuple(warnings),
            activity=activity,
            contact_detail=detail,
        )

    async def _sender(
        self, channel: str, talk: Sequence[Message], messages: Sequence[Message], warnings: list[str]
    ) -> Sender:
        """Who replies on ``channel``: the thread's latest sender there, else looked up."""
        from lemlist_inbox.api.models import Direction

        ours = [m for m in talk if m.direction is Direction.SENT and m.send_user_id]
        on_channel = [m for m in ours if m.channel == channel]
        if channel == "email":
            for pool in (on_channel, [m for m in messages if m.channel == "email"], list(messages)):
                for m in reversed(pool):
                    if m.send_user_id and m.send_user_email and m.send_user_mailbox_id:
                        return Sender(
                            m.send_user_id, m.send_user_name or "", m.send_user_email, m.send_user_mailbox_id
                        )
            user_id = self._user_of(on_channel, ours, messages)
            user = await self._user(user_id)
            boxes = user.mailboxes
            wanted = next((m.send_user_email for m in reversed(messages) if m.send_user_email), None)
            box = next((b for b in boxes if wanted and (b.email or "").lower() == wanted.lower()), None)
            box = box or next((b for b in boxes if b.connected), None) or (boxes[0] if boxes else None)
            if box is None or not box.email:
                raise ReplyError(
                    f"no mailbox to send from: {sanitize_line(user_id, 100)} has none connected in lemlist"
                )
            if not box.connected:
                warnings.append(
                    f"the mailbox {sanitize_line(box.email, 200)} is {sanitize_line(box.status, 40)} "
                    "in lemlist: the send will probably fail"
                )
            return Sender(user.id, user.name or "", box.email, box.id)
        if channel == "whatsapp":
            for m in reversed([m for m in messages if m.channel == "whatsapp"]):
                account = _extra(m, _WHATSAPP_FIELDS)
                if account and m.send_user_id:
                    return Sender(m.send_user_id, m.send_user_name or "", whatsapp_account_id=account)
            user_id = self._user_of(on_channel, ours, messages)
            user = await self._user(user_id)
            accounts = user.whatsapp_account_ids
            if not accounts:
                raise ReplyError("no WhatsApp account known for the sender: reply from lemlist's web app")
            return Sender(user.id, user.name or "", whatsapp_account_id=accounts[0])
        user_id = self._user_of(on_channel, ours, messages)
        name = next(
            (m.send_user_name for m in reversed(messages) if m.send_user_id == user_id and m.send_user_name),
            "",
        )
        return Sender(user_id, name or "")

    def _user_of(
        self, on_channel: Sequence[Message], ours: Sequence[Message], messages: Sequence[Message]
    ) -> str:
        for pool in (on_channel, ours, messages):
            for m in reversed(pool):
                if m.send_user_id:
                    return m.send_user_id
        return self.user_id

    async def _user(self, user_id: str) -> User:
        try:
            return await self._client.user(user_id)
        except LemlistError as exc:
            raise ReplyError(f"cannot find the sender's accounts ({describe_error(exc)})") from None

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
        text, quoted = html_text(payload["message"]) if reply.channel == "email" else (reply.body, "")
        from lemlist_inbox.render.sanitize import sanitize

        lines.extend(sanitize(text).splitlines())
        if quoted:
            lines.append("")
            lines.extend(f"> {line}" if line else ">" for line in sanitize(quoted).splitlines())
        lines.extend(f"warning: {w}" for w in (*context.warnings, *reply.warnings))
        return lines

    async def send(self, context: ReplyContext, reply: Reply, *, draft_id: str | None = None) -> SendOutcome:
        """Write ``reply`` to the outbox, then send it (see the module docstring)."""
        if not reply.body.strip():
            raise ComposeError("the reply is empty: nothing to send")
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

    def _local_message(self, entry: OutboxEntry, context: ReplyContext | None) -> Message:
        """The sent message as the thread will show it until lemlist's copy arrives."""
        from lemlist_inbox.api.models import Message

        payload = entry.payload
        sender = context.senders.get(entry.channel) if context is not None else None
        raw: dict[str, Any] = {
            "_id": f"local_{entry.id}",
            "type": _SENT_TYPES.get(entry.channel, "emailsSent"),
            "createdAt": _iso(self._clock()),
            "contactId": entry.contact_id,
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
        if entry.channel == "email":
            raw["subject"] = payload.get("subject") or (context.subject if context else None)
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
