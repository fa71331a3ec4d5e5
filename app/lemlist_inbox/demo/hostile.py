"""Hostile content: what strangers (and broken servers) can put in a conversation.

Enabled with ``DemoServer(hostile=True)`` / ``Dataset(hostile=True)``; never in the
default data. Each case is one conversation at the top of the list, with a stable,
seed-independent contact id, so tests elsewhere can name it::

    cid = hostile.contact_id("rich_markup")

The cases are the hostile inputs a server could send: Rich markup, terminal escapes (CSI, OSC 52
clipboard writes, OSC 8 hyperlinks), BEL, CR overwrites, bidi overrides (and attachment
names that climb out of the download folder), a link whose text is another URL,
300-character names, emoji and wide CJK, an empty thread, a 500-message thread, wrong-typed
and missing fields, HTML nasties (script, style, 500-deep nesting, surrogate entities, NUL,
base64 images) and a 1 MB message.
"""

from __future__ import annotations

import functools
import random
from typing import TYPE_CHECKING, Any

from lemlist_inbox.demo.ids import random_id
from lemlist_inbox.demo.threads import MINUTE, iso

if TYPE_CHECKING:
    from lemlist_inbox.demo.bodies import Sender
    from lemlist_inbox.demo.data import Dataset

ESC = "\x1b"
CLEAR_SCREEN = f"{ESC}[2J{ESC}[H"
OSC52_CLIPBOARD = f"{ESC}]52;c;cm0gLXJmIH4vKg==\x07"  # would set the clipboard to "rm -rf ~/*"
OSC8_LINK = f"{ESC}]8;;https://evil.example/{ESC}\\click me{ESC}]8;;{ESC}\\"
BEL = "\x07"
RLO = "\u202e"  # right-to-left override

#: Attachments of the ``bidi_override`` reply: names that try to climb out of the download
#: folder, hide their extension or carry an escape, and a URL that is not one to follow.
HOSTILE_ATTACHMENTS: tuple[dict[str, Any], ...] = (
    {"name": "../../../.bashrc", "url": "/files/fil_hostile_dotdot", "size": 1200, "type": "text/plain"},
    {
        "name": f"invoice{RLO}fdp.exe",
        "url": "/files/fil_hostile_bidi",
        "size": 900,
        "type": "application/pdf",
    },
    {"name": f"report{OSC52_CLIPBOARD}.pdf", "url": f"https://evil.example/{OSC52_CLIPBOARD}", "size": 10},
)

#: case name -> (fullName or None, email, subject, body of the prospect's message, channel)
_CASES: dict[str, tuple[str | None, str | None, str, str, str]] = {
    "rich_markup": (
        "[bold red]Mallory[/bold red] [link=https://evil.example]Support[/link]",
        "mallory@evil.example",
        "[blink]URGENT[/blink] [@click=app.quit]press[/]",
        "<p>Hello [bold]friend[/bold], [reverse]this[/reverse] is [/] not markup.</p>",
        "email",
    ),
    "terminal_escapes": (
        f"Eve{CLEAR_SCREEN}Admin",
        "eve@evil.example",
        f"Invoice{OSC52_CLIPBOARD} overdue{BEL}",
        f"<p>Look: {OSC8_LINK}</p><p>{ESC}[31mred{ESC}[0m and \x9b2J (C1 CSI)</p>",
        "email",
    ),
    "carriage_return": (
        "Totally Legit Bank\rEVIL CORP",
        "bank@evil.example",
        "Your account\r\nBcc: everyone@example.com",
        "Please confirm your password\rIgnore this line\r\n\r\nThanks",
        "linkedin",
    ),
    "bidi_override": (
        f"Ann {RLO}fdp.exe{RLO}",
        f"ann{RLO}moc.evil@example.com",
        f"Document {RLO}txt.exe",
        f"<p>Open the file {RLO}gpj.exe\u2066isolated\u2069 now</p>",
        "email",
    ),
    "lookalike_link": (
        "PayPal Security",
        "security@paypa1.example",
        "Verify your account",
        '<p>Log in at <a href="https://evil.example/login">https://www.paypal.com/signin</a> '
        'or <a href="https://evil.example/2">www.lemlist.com</a>, or '
        '<a href="javascript:alert(1)">this</a> or <a href="mailto:x@evil.example">mail</a>.</p>',
        "email",
    ),
    "long_name": (
        ("Wolfeschlegelsteinhausenbergerdorff " * 9)[:300],
        "a" * 120 + "@" + "very-long-subdomain." * 5 + "example.com",
        "S" * 300,
        "<p>" + "word " * 2000 + "</p><p>" + "x" * 5000 + "</p>",
        "email",
    ),
    "wide_chars": (
        "🦄 王伟 佐藤花子 👩‍👩‍👧‍👦",
        "用户@例子.中国",
        "こんにちは 🎉 안녕하세요 مرحبا 🇫🇷🇯🇵",
        "<p>全角テキスト　と絵文字 🧑‍💻🏳️‍🌈 e\u0301 combining, Z\u0351\u0352\u0353algo</p>",
        "email",
    ),
    "no_name_no_email": (None, None, "", "", "linkedin"),
    "html_nasties": (
        "Html Nasties",
        "html@evil.example",
        "<script>alert(1)</script>",
        "<style>body{display:none}</style><script>document.write('x')</script>"
        + "<div>" * 500
        + "deep"
        + "</div>" * 500
        + "<p>entity &#xD800; &#0; &#x1b;[2J &bogus; <b>unclosed <i>tags"
        + '<img src="data:image/png;base64,'
        + "iVBORw0KGgo" * 200
        + '">'
        + "<p>NUL:\x00 and lone surrogate:\ud800 end</p>"
        + '<a href="https://example.com/a">text</a><a>no href</a><iframe src="https://evil.example"></iframe>',
        "email",
    ),
}
#: Cases whose thread is special rather than one message from the prospect.
EMPTY_THREAD = "empty_thread"
LONG_THREAD = "long_thread"
WRONG_TYPES = "wrong_types"
BIG_MESSAGE = "big_message"
CASE_NAMES: tuple[str, ...] = (*_CASES, EMPTY_THREAD, LONG_THREAD, WRONG_TYPES, BIG_MESSAGE)
LONG_THREAD_SIZE = 500
BIG_MESSAGE_BYTES = 1_000_000


def contact_id(case: str) -> str:
    """The stable contact id of a hostile case (whatever the seed)."""
    if case not in CASE_NAMES:
        raise KeyError(case)
    return random_id(random.Random(f"hostile-contact:{case}"), "ctc")


def conversation_id(case: str) -> str:
    return random_id(random.Random(f"hostile-conversation:{case}"), "ibx")


def big_html(size: int = BIG_MESSAGE_BYTES) -> str:
    """A newsletter-like HTML message of about ``size`` bytes (tables, links, styles)."""
    row = (
        '<tr><td style="padding:8px;font-family:Arial"><a href="https://news.example/item/{n}">'
        'Item {n}: quarterly update</a><br><span style="color:#666">Lorem ipsum dolor sit amet, '
        "consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore.</span></td></tr>"
    )
    parts = ['<html><head><style>td{color:#333}</style></head><body><table width="600">']
    total = len(parts[0])
    n = 0
    while total < size:
        chunk = row.format(n=n)
        parts.append(chunk)
        total += len(chunk)
        n += 1
    parts.append("</table></body></html>")
    return "".join(parts)


def _message(
    rng: random.Random,
    team_id: str,
    sender: Sender,
    cid: str,
    email: str | None,
    kind: str,
    ms: int,
    text: str,
    subject: str | None,
) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "_id": random_id(rng, "act"),
        "type": kind,
        "createdAt": iso(ms),
        "teamId": team_id,
        "sendUserId": sender.user_id,
        "sendUserName": sender.name,
        "sendUserEmail": sender.email,
        "leadEmail": email,
        "contactId": cid,
        "message": text,
        "attachments": [],
    }
    if subject is not None:
        msg["subject"] = subject
    if kind.endswith("Replied"):
        msg["fromEmail"] = email
    return msg


def hostile_conversations(dataset: Dataset) -> list[tuple[dict[str, Any], list[Any]]]:
    """(conversation, thread oldest first) for every case, newest first above everything."""
    senders = dataset.senders
    sender = senders[0]
    out: list[tuple[dict[str, Any], list[Any]]] = []
    top = dataset.reference_ms - 30_000  # above the examples and the generated data
    for n, case in enumerate(CASE_NAMES):
        at = top - n * 1000
        cid = contact_id(case)
        rng = random.Random(f"hostile:{case}")
        name, email, subject, body, channel = _CASES.get(
            case, (case.replace("_", " ").title(), f"{case}@example.com", case, "<p>-</p>", "email")
        )
        contact: dict[str, Any] = {"_id": cid}
        if name is not None:
            contact["fullName"] = name
        if email is not None:
            contact["email"] = email
        conv: dict[str, Any] = {
            "_id": conversation_id(case),
            "opportunities": [],
            "lastActivityAt": iso(at),
            "createdBy": "act_" + case,
            "channels": [channel],
            "teamId": dataset.team_id,
            "contactId": cid,
            "users": [
                {"userId": s.user_id, "sender": i == 0, "read": i != 0 or n % 2 == 1}
                for i, s in enumerate(senders)
            ],
            "createdAt": iso(at - 3 * MINUTE),
            "haveReplies": True,
            "lastRepliedAt": iso(at),
            "lastRepliedChannel": channel,
            "contact": contact,
        }

        message = functools.partial(_message, rng, dataset.team_id, sender, cid, email)

        reply_kind = "linkedinReplied" if channel == "linkedin" else "emailsReplied"
        thread: list[Any]  # list[dict] but for the deliberately broken items
        if case == EMPTY_THREAD:
            thread = []
        elif case == LONG_THREAD:
            thread = [
                message(
                    reply_kind if i % 2 else "emailsSent",
                    at - (LONG_THREAD_SIZE - i) * MINUTE,
                    f"<p>Message {i + 1} of {LONG_THREAD_SIZE}</p>",
                    f"Re: long thread #{i + 1}",
                )
                for i in range(LONG_THREAD_SIZE)
            ]
        elif case == WRONG_TYPES:
            conv.update({"channels": "email", "haveReplies": "yes", "lastRepliedAt": 12345, "teamId": None})
            thread = [
                {
                    "_id": "act_wrongtypes1",
                    "type": None,
                    "createdAt": "not a date",
                    "message": None,
                    "subject": 42,
                    "sequenceStep": "two",
                    "attachments": "none",
                },
                {
                    "_id": "act_wrongtypes2",
                    "type": "someFutureType",
                    "createdAt": iso(at),
                    "message": ["x"],
                    "attachments": [
                        None,
                        5,
                        {"name": None, "size": "big"},
                        {"filename": "ok.pdf", "size": 10},
                    ],
                },
                {"type": "emailsReplied", "message": "no _id: malformed, must be skipped"},
                "not even an object",
            ]
        elif case == BIG_MESSAGE:
            thread = [message("emailsReplied", at, big_html(), "Our 1 MB newsletter")]
        else:
            thread = [
                message(
                    "linkedinSent" if channel == "linkedin" else "emailsSent",
                    at - 2 * MINUTE,
                    "<p>Hi, quick question.</p>" if channel == "email" else "Hi, quick question.",
                    subject if channel == "email" else None,
                ),
                message(reply_kind, at, body, ("Re: " + subject) if channel == "email" else None),
            ]
        if case == "bidi_override":
            thread[-1]["attachments"] = [dict(a) for a in HOSTILE_ATTACHMENTS]
        out.append((conv, thread))
    return out
