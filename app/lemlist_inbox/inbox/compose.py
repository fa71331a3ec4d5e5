"""A reply as the user writes it: the editor's plain-text file, and the HTML that is sent.

The editor gets a short header block, a blank line, the body, and (for email) the message
being answered, quoted::

    To: Victoire Martin <victoire@example.com>
    Channel: email
    From: John Doe <john@acme.com>
    Subject: Re: Pricing
    Cc:

    <the reply>

    On Tue 3 Dec 2024 17:39, Victoire Martin wrote:
    > the message being answered

``parse_reply`` reads it back. ``To`` and ``From`` are shown so the user knows where the
reply goes; changing them is refused with a sentence (the recipient is the thread's lead,
the sender is chosen by the app). ``Channel``, ``Subject`` and ``Cc`` may be edited.

``text_to_html`` turns the body into the HTML lemlist sends: every character HTML gives a
meaning to is escaped, so nothing typed is ever interpreted as markup; blank lines make
paragraphs, single line breaks ``<br>``, ``http(s)://`` URLs become links, and a kept
quote becomes a ``<blockquote>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "CHANNELS",
    "ComposeError",
    "Reply",
    "ReplyTemplate",
    "check_addresses",
    "check_body",
    "is_address",
    "parse_reply",
    "render_template",
    "text_to_html",
]

#: Channels a reply can go through, as the API names them.
CHANNELS = ("email", "linkedin", "whatsapp")
#: lemlist refuses drafts above 30 KB; a reply is held to the same bound.
MAX_BODY_BYTES = 30_000
_HEADERS = ("to", "channel", "from", "subject", "cc")
_EDITABLE = frozenset({"channel", "subject", "cc"})
_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
_COMMENT = "#"


class ComposeError(ValueError):
    """The edited reply cannot be sent as it is; the message says what to change."""


@dataclass(frozen=True)
class ReplyTemplate:
    """What the editor opens with (``render_template``)."""

    to: str
    channel: str
    sender: str
    subject: str = ""
    cc: tuple[str, ...] = ()
    body: str = ""
    #: The message being answered, as text, and its attribution line (email only).
    quoted: str = ""
    attribution: str = ""
    #: Channels the thread allows (the first is the default).
    channels: tuple[str, ...] = CHANNELS
    #: The lemlist draft this text continues: its body is the user's own words, so sending
    #: it unchanged is fine (and the draft is deleted once the send succeeds).
    draft_id: str | None = None


@dataclass(frozen=True)
class Reply:
    """What the user wrote, ready to review and send."""

    channel: str
    subject: str
    cc: tuple[str, ...]
    body: str
    #: The quoted part the user kept (empty when deleted), without the ``> `` markers.
    quoted: str = ""
    attribution: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def html(self) -> str:
        return text_to_html(self.body, quoted=self.quoted, attribution=self.attribution)


def _quote_lines(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.splitlines()]


def render_template(template: ReplyTemplate) -> str:
    """The text file the editor opens."""
    lines = [
        f"To: {template.to}",
        f"Channel: {template.channel}",
        f"From: {template.sender}",
    ]
    if template.channel == "email":
        lines += [f"Subject: {template.subject}", f"Cc: {', '.join(template.cc)}"]
    others = [c for c in template.channels if c != template.channel]
    hint = f" (or {', '.join(others)})" if others else ""
    lines += [
        f"# Write below the blank line. Channel can be changed{hint}; To and From cannot.",
        "# Lines starting with # in this block are ignored. An empty reply is never sent.",
    ]
    rest = [template.body]
    if template.quoted and template.channel == "email":
        rest += ["", template.attribution or "Earlier:", *_quote_lines(template.quoted)]
    # The blank line after the headers stays even with nothing below it: it is what
    # tells the headers from the reply when the file is read back.
    body = "\n".join(rest).rstrip("\n")
    return "\n".join(lines) + "\n\n" + (body + "\n" if body else "")


def _split_headers(text: str) -> tuple[dict[str, str], list[str]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headers: dict[str, str] = {}
    for index, line in enumerate(lines):
        if not line.strip():
            return headers, lines[index + 1 :]
        if line.lstrip().startswith(_COMMENT):
            continue
        name, sep, value = line.partition(":")
        key = name.strip().lower()
        if not sep or key not in _HEADERS:
            raise ComposeError(
                f"line {index + 1} is not a header ({', '.join(h.capitalize() for h in _HEADERS)}): "
                "keep the blank line between the headers and the reply"
            )
        if key in headers:
            raise ComposeError(f"{name.strip()} is given twice")
        headers[key] = value.strip()
    return headers, []


def _split_quote(body_lines: list[str], attribution: str) -> tuple[list[str], str, str]:
    """(body lines, kept quote text, attribution) from the lines after the headers."""
    end = len(body_lines)
    while end and not body_lines[end - 1].strip():
        end -= 1
    start = end
    while start and body_lines[start - 1].startswith(">"):
        start -= 1
    if start == end:
        return body_lines[:end], "", ""
    quoted = "\n".join(line[2:] if line.startswith("> ") else line[1:] for line in body_lines[start:end])
    kept_attribution = ""
    if (
        start
        and body_lines[start - 1].strip() in {attribution.strip(), "Earlier:"}
        and body_lines[start - 1].strip()
    ):
        kept_attribution = body_lines[start - 1].strip()
        start -= 1
    return body_lines[:start], quoted.strip("\n"), kept_attribution


def _addresses(value: str) -> tuple[str, ...]:
    return check_addresses(re.split(r"[,;]", value))


def is_address(text: str) -> bool:
    """Whether ``text`` reads as one email address (what Cc accepts)."""
    text = text.strip()
    return text.isprintable() and bool(_EMAIL.match(text))


def check_addresses(values: Sequence[str]) -> tuple[str, ...]:
    """Cc addresses, stripped, blanks dropped; ``ComposeError`` naming the first bad one."""
    parts = tuple(p.strip() for p in values if p.strip())
    bad = [p for p in parts if not is_address(p)]
    if bad:
        raise ComposeError(f"Cc: not an email address: {bad[0]}")
    return parts


def check_body(body: str) -> None:
    """``ComposeError`` for a body that must never be sent: empty, or over lemlist's size.

    One rule for every way a body arrives (the editor's file, ``--message-file``, a draft,
    the service's last word before the outbox), so they cannot drift apart.
    """
    if not body.strip():
        raise ComposeError("the reply is empty: nothing to send")
    if len(body.encode("utf-8", "surrogatepass")) > MAX_BODY_BYTES:
        raise ComposeError(f"the reply is longer than lemlist accepts ({MAX_BODY_BYTES // 1000} KB)")


def parse_reply(text: str, template: ReplyTemplate) -> Reply:
    """Read the edited file back; ``ComposeError`` says what to fix.

    An empty body (or one left as the template had it) is an error: nothing is sent
    without words of the user's own.
    """
    headers, rest = _split_headers(text)
    for key in ("to", "from"):
        given = headers.get(key)
        expected = template.to if key == "to" else template.sender
        if given is not None and given != expected:
            raise ComposeError(f"{key.capitalize()} cannot be changed here (it is {expected})")
    channel = (headers.get("channel") or template.channel).lower()
    if channel not in template.channels:
        raise ComposeError(f"Channel must be one of: {', '.join(template.channels)}")
    body_lines, quoted, attribution = _split_quote(rest, template.attribution)
    body = "\n".join(body_lines).strip("\n")
    check_body(body)
    if template.draft_id is None and body.strip() == template.body.strip():
        raise ComposeError("the reply is unchanged: nothing to send")
    warnings: list[str] = []
    subject = headers.get("subject", template.subject) if channel == "email" else ""
    cc = _addresses(headers["cc"]) if channel == "email" and "cc" in headers else ()
    if channel != "email":
        if quoted:
            warnings.append(f"the quote is not sent on {channel}")
        quoted, attribution = "", ""
    return Reply(
        channel=channel,
        subject=subject,
        cc=cc,
        body=body,
        quoted=quoted,
        attribution=attribution,
        warnings=tuple(warnings),
    )


def _inline(text: str) -> str:
    """One paragraph's text: escaped, URLs as links, line breaks as ``<br>``."""
    out: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        out.append(html.escape(text[position : match.start()], quote=True))
        url = html.escape(match.group(0), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        position = match.end()
    out.append(html.escape(text[position:], quote=True))
    return "<br>".join("".join(out).split("\n"))


def _paragraphs(text: str) -> str:
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", text.strip("\n")) if b.strip()]
    return "".join(f"<p>{_inline(block)}</p>" for block in blocks)


def text_to_html(body: str, *, quoted: str = "", attribution: str = "") -> str:
    """The HTML sent for ``body`` (and a kept quote); see the module docstring."""
    result = _paragraphs(body)
    if quoted.strip():
        if attribution:
            result += f"<p>{_inline(attribution)}</p>"
        result += f"<blockquote>{_paragraphs(quoted)}</blockquote>"
    return result
