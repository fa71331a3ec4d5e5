"""What a reply starts from: the channel, the recipient's lead, the sender's account, the
message answered, and the header block the editor shows (``ReplyContext``).

Built from a thread (``ContextBuilder.build``), by the rules ``inbox.replies`` lists: the
channel of the latest message; an email answers the latest email activity from the mailbox
that last wrote to the lead (the thread's ``sendUser*`` fields, else ``GET /users/{id}``);
LinkedIn and WhatsApp go to the thread's ``leadId`` from the sender's account (WhatsApp's
from the thread's ``sendUserWhatsappAccountId``, else the user's accounts). Ids are kept
exactly as lemlist gave them (they go back in the POST); every string meant for a screen or
the editor is sanitized here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lemlist_inbox.api.errors import LemlistError, describe_error
from lemlist_inbox.api.writes import email_payload, linkedin_payload, whatsapp_payload
from lemlist_inbox.inbox.compose import CHANNELS, Reply, ReplyTemplate, is_address
from lemlist_inbox.render.sanitize import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Draft, Message, User
    from lemlist_inbox.render.body import Body

__all__ = [
    "ContextBuilder",
    "DraftText",
    "ReplyContext",
    "ReplyError",
    "Sender",
    "html_text",
    "rendered_body",
]

#: The field lemlist's threads may carry for the WhatsApp account a message went from.
_WHATSAPP_FIELDS = ("sendUserWhatsappAccountId", "whatsappAccountId")
_LINK_NUMBER = re.compile(r"\s?\[\d+\]")


class ReplyError(Exception):
    """The reply cannot be sent as asked (nothing was sent); the message says why."""


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
    #: How the contact is reached on the other channels (``linkedin``: profile URL,
    #: ``whatsapp``: phone), as the thread shows them, for the To line.
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
class DraftText:
    """A lemlist draft read back as text to continue in the editor."""

    draft: Draft
    channel: str
    body: str
    subject: str
    cc: tuple[str, ...]


def _extra(message: Message, names: Sequence[str]) -> str | None:
    extra = message.model_extra or {}
    for name in names:
        value = extra.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _reply_subject(subject: str | None) -> str:
    base = (subject or "").strip()
    if not base:
        return ""
    return base if base.lower().startswith("re:") else f"Re: {base}"


def rendered_body(html: str) -> Body:
    """A draft's or message's HTML as the thread pane renders it (sanitized)."""
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.render.message import body_of

    return body_of(Message.model_validate({"_id": "text", "message": html}))


def html_text(html: str) -> tuple[str, str]:
    """(text, quoted) of a draft's or message's HTML, without the pane's link numbers."""
    body = rendered_body(html)
    return _LINK_NUMBER.sub("", body.text), _LINK_NUMBER.sub("", body.quoted or "")


class ContextBuilder:
    """Builds a ``ReplyContext`` from a thread; ``lookup_user`` is ``LemlistClient.user``."""

    def __init__(self, user_id: str, lookup_user: Callable[[str], Awaitable[User]]) -> None:
        #: The viewing user: the sender of last resort, the outbox's and the drafts' owner.
        self.user_id = user_id
        self._lookup = lookup_user

    async def build(
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
        # The thread's Cc goes into the editor's header block: addresses only, nothing else.
        cc = (
            tuple(a.strip() for a in cc_raw if isinstance(a, str) and is_address(a))[:50]
            if isinstance(cc_raw, list)
            else ()
        )
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
            # The user who last wrote to the lead by email, and their mailbox as the thread
            # names it; only with no email of ours at all, whichever mailbox the thread names
            # (lemlist puts the campaign sender's fields on the lead's replies too).
            latest = on_channel[-1] if on_channel else None
            pool = (
                [m for m in messages if m.send_user_id == latest.send_user_id] if latest else list(messages)
            )
            if latest is None:
                pool.sort(key=lambda m: m.channel == "email")  # stable: email ones last, newest last
            for m in reversed(pool):
                if m.send_user_id and m.send_user_email and m.send_user_mailbox_id:
                    return Sender(
                        m.send_user_id, m.send_user_name or "", m.send_user_email, m.send_user_mailbox_id
                    )
            user_id = self._user_of(on_channel, ours, messages)
            user = await self._user(user_id)
            boxes = user.mailboxes
            wanted = next(
                (
                    m.send_user_email
                    for m in reversed(pool)
                    if m.send_user_id == user_id and m.send_user_email
                ),
                None,
            )
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
            return await self._lookup(user_id)
        except LemlistError as exc:
            raise ReplyError(f"cannot find the sender's accounts ({describe_error(exc)})") from None
