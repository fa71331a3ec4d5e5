"""One API message to what the thread pane and ``lemlist-inbox show`` print.

Both front ends show the same header lines in the same order, so the labels and formats live
here (``header_lines``, ``chat_line``, ``fold_parts``), not in the widgets. Email keeps its
labelled header block; a LinkedIn, WhatsApp or SMS message reads as a chat (``is_chat``):
one compact line of sender, channel and time, then the text, since those messages have
no subject or recipient worth a line. A ``RenderedMessage`` holds only sanitized strings:
the UI draws them as literal text and never needs to clean or parse anything again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from lemlist_inbox.api.models import Attachment, Direction, Message
from lemlist_inbox.render.attachments import AttachmentInfo, attachment_info
from lemlist_inbox.render.body import Body
from lemlist_inbox.render.sanitize import sanitize_line

# A body is HTML when it contains a real tag; "<3" or "a < b" in a LinkedIn message is not.
_LOOKS_HTML = re.compile(
    r"<(?:/?(?:html|head|body|div|p|br|span|a|table|tr|td|img|b|i|u|strong|em|ul|ol|li|blockquote|"
    r"font|hr|h[1-6]|pre|center|style|meta|section)\b[^<>]{0,2000}>|!--)",
    re.IGNORECASE,
)
_TYPE_LABELS = {
    "emailssent": "Email",
    "emailsreplied": "Email reply",
    "emailsreceived": "Email",
    "linkedinsent": "LinkedIn message",
    "linkedinreplied": "LinkedIn reply",
    "linkedininvitedone": "LinkedIn invitation",
    "linkedininviteaccepted": "LinkedIn invitation accepted",
    "whatsappsent": "WhatsApp message",
    "whatsappmessagesent": "WhatsApp message",
    "whatsappreplied": "WhatsApp reply",
    "smssent": "SMS",
    "smsreplied": "SMS reply",
}
#: Channels whose messages read as a chat (``is_chat``), with their names.
CHAT_CHANNELS = {"linkedin": "LinkedIn", "whatsapp": "WhatsApp", "sms": "SMS"}
#: Words of a body shown on a folded message's line, at most (the line is cut to fit anyway).
FOLD_WORDS_CHARS = 300
_DIRECTION_TITLES = {
    Direction.SENT: "Sent by us",
    Direction.RECEIVED: "Reply from contact",
}


@dataclass(frozen=True)
class RenderedMessage:
    """A message ready to print; every string is sanitized and single-line except the body.

    ``step`` is human (1-based: the API's ``sequenceStep`` 0 is "step 1"); ``recipient`` is the
    contact's address on messages we sent; ``campaign`` the campaign's name when the API gave one.
    """

    message_id: str
    direction: Direction
    channel: str
    type: str
    sender: str
    sender_address: str
    when: datetime | None
    subject: str
    step: str | None
    body: Body
    attachments: tuple[str, ...]
    recipient: str = ""
    campaign: str = ""
    #: The attachments in full (``attachments`` holds their one-line labels).
    files: tuple[AttachmentInfo, ...] = ()
    #: The body is not converted yet (``render_header``): only its folded line can show,
    #: without its first words, until the real rendering replaces it.
    pending: bool = False

    @property
    def title(self) -> str:
        """The direction line's words: "Sent by us", "Reply from contact", or the raw type."""
        return _DIRECTION_TITLES.get(self.direction) or (type_label(self.type) or "Other activity")

    @property
    def from_line(self) -> str:
        """``Name <address>``, or whichever of the two is known."""
        return format_address(self.sender, self.sender_address)


def type_label(kind: str) -> str:
    """Readable name of a message ``type``; an unknown type is shown literally."""
    return _TYPE_LABELS.get(kind.lower(), kind)


def format_address(name: str, address: str) -> str:
    if name and address and name.lower() != address.lower():
        return f"{name} <{address}>"
    return name or address or "(unknown sender)"


def human_size(size: int | None) -> str | None:
    """Decimal units, as file managers show them: 512 B, 12.3 kB, 4.5 MB."""
    if size is None or isinstance(size, bool) or size < 0:
        return None
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 1000 or unit == "TB":
            return f"{value:.1f} {unit}"
    return None  # pragma: no cover


def attachment_line(attachment: Attachment) -> str:
    """``name (12.3 kB)``, or just the name when the size is unknown."""
    name = sanitize_line(attachment.display_name, limit=300) or "(unnamed attachment)"
    size = human_size(attachment.size)
    return f"{name} ({size})" if size else name


def step_label(sequence_step: int | None) -> str | None:
    """The API's ``sequenceStep`` is 0-based; people count campaign steps from 1."""
    if sequence_step is None or isinstance(sequence_step, bool) or sequence_step < 0:
        return None
    return f"step {sequence_step + 1}"


def body_of(msg: Message) -> Body:
    """HTML through html2text, anything else shown as plain text.

    The HTML pipeline is imported on the first message converted, not with this module:
    the TUI imports the renderer at start-up but converts nothing until a thread is
    opened, and the first frame should not pay for it (benchmark row "1 start-up: heavy modules").
    """
    from lemlist_inbox.render.html import html_to_body
    from lemlist_inbox.render.plain import text_to_body

    content = msg.message if isinstance(msg.message, str) else ""
    if _LOOKS_HTML.search(content):
        return html_to_body(content)
    return text_to_body(content)


def _sender(msg: Message, contact_name: str | None) -> tuple[str, str]:
    direction = msg.direction
    if direction is Direction.SENT:
        return sanitize_line(msg.send_user_name), sanitize_line(msg.send_user_email)
    if direction is Direction.RECEIVED:
        address = sanitize_line(msg.from_email or msg.lead_email)
        return sanitize_line(contact_name), address
    name = sanitize_line(msg.send_user_name)
    address = sanitize_line(msg.send_user_email or msg.from_email or msg.lead_email)
    return name, address


def render_message(msg: Message, *, contact_name: str | None = None) -> RenderedMessage:
    """Render one message for display. Never raises (any field may be None or odd).

    ``contact_name`` (e.g. ``Conversation.contact.display_name``) names the sender of replies,
    which the message itself only identifies by address.
    """
    try:
        body = body_of(msg)
    except Exception:
        from lemlist_inbox.render.html import failed_body

        body = failed_body(getattr(msg, "message", ""))
    try:
        return _render(msg, body, contact_name)
    except Exception:  # a broken message still gets a (minimal) place in the thread
        return RenderedMessage(
            message_id=sanitize_line(str(getattr(msg, "id", ""))),
            direction=Direction.OTHER,
            channel="other",
            type="",
            sender="(unknown sender)",
            sender_address="",
            when=None,
            subject="",
            step=None,
            body=body,
            attachments=(),
        )


#: The body of a message not converted yet (``render_header``).
_NO_BODY = Body(text="")


def _render(msg: Message, body: Body, contact_name: str | None, *, pending: bool = False) -> RenderedMessage:
    name, address = _sender(msg, contact_name)
    recipient = sanitize_line(msg.lead_email) if msg.direction is Direction.SENT else ""
    return RenderedMessage(
        message_id=sanitize_line(msg.id),
        direction=msg.direction,
        channel=msg.channel,
        type=sanitize_line(msg.type, limit=100),
        sender=name or address,
        sender_address=address,
        when=msg.created,
        subject=sanitize_line(msg.subject),
        step=step_label(msg.sequence_step),
        body=body,
        attachments=tuple(attachment_line(a) for a in msg.attachments[:200]),
        recipient=recipient,
        campaign=sanitize_line(msg.campaign_name, limit=200),
        files=tuple(attachment_info(a) for a in msg.attachments[:200]),
        pending=pending,
    )


def render_header(msg: Message, *, contact_name: str | None = None) -> RenderedMessage:
    """A message without its body converted: what a folded line needs but its words.

    Converting HTML is most of the cost of showing a long thread (about 0.4 ms a
    message); an open shows the newest message first and folds the others, so it
    draws their lines from this and puts the full rendering in when it is done.
    """
    try:
        return _render(msg, _NO_BODY, contact_name, pending=True)
    except Exception:
        return render_message(msg, contact_name=contact_name)


def render_thread(messages: Sequence[Message], *, contact_name: str | None = None) -> list[RenderedMessage]:
    """Render a thread in the order given (the client returns oldest first)."""
    return [render_message(m, contact_name=contact_name) for m in messages]


def format_when(when: datetime | None, tz: tzinfo | None = None) -> str:
    """``Thu 5 Dec 2024 17:39`` in ``tz`` (the machine's local zone when None)."""
    if when is None:
        return "(unknown date)"
    local = _local(when, tz)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M}"


def _local(when: datetime, tz: tzinfo | None) -> datetime:
    """``when`` in ``tz``, or as given when it cannot be moved there (a date at the edge of time)."""
    try:
        return when.astimezone(tz)
    except (OverflowError, ValueError, OSError):
        return when


def header_lines(rm: RenderedMessage, tz: tzinfo | None = None) -> list[tuple[str, str]]:
    """Labelled header lines, in the order the thread pane and the CLI show them."""
    lines: list[tuple[str, str]] = [("From", rm.from_line)]
    if rm.recipient and rm.recipient.lower() != rm.sender_address.lower():
        lines.append(("To", rm.recipient))
    lines.append(("Date", format_when(rm.when, tz)))
    if rm.subject:
        lines.append(("Subject", rm.subject))
    if rm.channel != "email" or rm.direction is Direction.OTHER:
        lines.append(("Type", type_label(rm.type) or "(unknown type)"))
    campaign = " · ".join(part for part in (rm.campaign, rm.step or "") if part)
    if campaign:
        lines.append(("Campaign", campaign))
    return lines


def is_chat(rm: RenderedMessage) -> bool:
    """Whether the message reads as a chat line: a known LinkedIn/WhatsApp/SMS message.

    An activity of those channels whose type is unknown keeps the generic labelled form,
    whose ``Type:`` row shows the raw type: it is then readable, whatever it is.
    """
    if rm.channel not in CHAT_CHANNELS:
        return False
    return rm.direction is not Direction.OTHER or rm.type.lower() in _TYPE_LABELS


def chat_parts(rm: RenderedMessage, tz: tzinfo | None = None) -> tuple[str, str, str]:
    """(who, channel or activity, when) of a chat message's one line.

    ``who`` is the sender's name (or address); the middle names the channel, or the
    activity for one that is not a message ("LinkedIn invitation accepted").
    """
    who = rm.sender or rm.sender_address or "(unknown sender)"
    if rm.direction is Direction.OTHER:
        what = type_label(rm.type) or CHAT_CHANNELS.get(rm.channel, rm.channel)
    else:
        what = CHAT_CHANNELS.get(rm.channel, rm.channel)
    return who, what, format_when(rm.when, tz)


def short_when(when: datetime | None, tz: tzinfo | None = None) -> str:
    """``5 Dec 2024 17:39``: the date of a folded message's line (no weekday: room)."""
    if when is None:
        return "(no date)"
    local = _local(when, tz)
    return f"{local.day} {local:%b %Y %H:%M}"


def who_word(rm: RenderedMessage) -> str:
    """``us``, ``them``, or the activity's name: the direction on a folded message's line."""
    if rm.direction is Direction.SENT:
        return "us"
    if rm.direction is Direction.RECEIVED:
        return "them"
    return type_label(rm.type) or "other"


def first_words(rm: RenderedMessage, limit: int = FOLD_WORDS_CHARS) -> str:
    """The start of the message's own text on one line (whitespace collapsed), for its fold;
    "" while its body is not converted (``pending``)."""
    if rm.pending:
        return ""
    text = rm.body.text[: limit * 4]
    words = " ".join(text.split())
    if not words:
        words = rm.subject or ("(attachment)" if rm.attachments else "(no text)")
    return words[:limit]


def fold_parts(rm: RenderedMessage, tz: tzinfo | None = None) -> tuple[str, str, str, str]:
    """(us/them, sender, date, first words): a folded message's one line, in parts."""
    sender = rm.sender or rm.sender_address or "(unknown sender)"
    return who_word(rm), sender, short_when(rm.when, tz), first_words(rm)
