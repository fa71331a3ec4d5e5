"""Message bodies that look like what lemlist's Inbox API really returns.

The renderer has to cope with real mail, so these copy the shapes seen in lemlist's own
example (the ``<html>`` wrapper, ``gmail_signature`` divs, the ``<span summary=...>``
reply marker and the 1x1 open-tracking pixel) and the quoting styles of the mail
clients prospects answer from: Gmail (``gmail_quote`` + ``blockquote``), Outlook
(``divRplyFwdMsg`` after an ``<hr>``), Apple Mail (``blockquote type="cite"``) and plain
text with ``> `` lines. LinkedIn and WhatsApp messages are plain text.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from lemlist_inbox.demo.names import Person

TRACK_HOST = "https://zr0.lemlst.org"


@dataclass(frozen=True, slots=True)
class Sender:
    """A team user as the message fields spell it."""

    user_id: str
    name: str
    email: str
    mailbox_id: str

    @property
    def first(self) -> str:
        return self.name.split()[0].capitalize()

    @property
    def slug(self) -> str:
        return self.name.lower().replace(" ", "-")

    @property
    def whatsapp_account_id(self) -> str:
        """The user's WhatsApp account (``sendUserWhatsappAccountId``), stable per user."""
        digest = hashlib.sha256(f"wha:{self.user_id}".encode()).hexdigest()
        return "wha_" + digest[:17]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def when_gmail(ms: int) -> str:
    """``Tue, Dec 3, 2024 at 10:52 AM`` (Gmail's attribution line)."""
    d = datetime.fromtimestamp(ms / 1000, UTC)
    return f"{d:%a}, {d:%b} {d.day}, {d.year} at {d.hour % 12 or 12}:{d:%M} {d:%p}"


def when_outlook(ms: int) -> str:
    d = datetime.fromtimestamp(ms / 1000, UTC)
    return f"{d:%A}, {d:%B} {d.day}, {d.year} {d.hour % 12 or 12}:{d:%M} {d:%p}"


def when_apple(ms: int) -> str:
    d = datetime.fromtimestamp(ms / 1000, UTC)
    return f"{d.day} {d:%b} {d.year}, at {d:%H:%M}"


# --------------------------------------------------------------------------- outreach copy

SUBJECTS: tuple[str, ...] = (
    "Quick question about {company}",
    "{first}, a 15-minute call?",
    "Idea for {company}'s outbound",
    "Have you heard about {sender_first} ?",
    "{company} x lemlist",
    "Saw your post on LinkedIn",
    "Meet me !",
    "Scaling {company}'s pipeline in Q1",
    "A question about your sales stack",
    "Is this on your radar, {first}?",
)

PITCHES: tuple[str, ...] = (
    "I noticed {company} is hiring SDRs, which usually means outbound is becoming a priority. "
    "Teams like yours use lemlist to book 30% more meetings without adding headcount.",
    "I loved your recent post about cold outreach. We help teams like {company} send "
    "personalized campaigns across email and LinkedIn from one place.",
    "Most sales leaders I talk to spend hours every week copy-pasting between tools. "
    "We built something that takes that off your plate.",
    "Congrats on the new funding round! When teams grow that fast, keeping outbound personal "
    "gets hard. Happy to share what worked for companies at the same stage.",
    "Quick one: how is {company} generating pipeline today? I have a few ideas that worked "
    "well for similar teams and would love to compare notes.",
)

FOLLOW_UPS: tuple[str, ...] = (
    "Just bumping this to the top of your inbox in case it got buried.",
    "I know things get busy. Would it make sense to chat for 15 minutes next week?",
    "Last try from my side. If now is not the right time, just tell me and I won't insist.",
    "Did you get a chance to look at my previous email?",
    "Sharing a short case study that might be relevant for {company}: "
    '<a href="https://www.lemlist.com/case-studies">lemlist.com/case-studies</a>',
)

CLOSINGS: tuple[str, ...] = ("Best,", "Cheers,", "Talk soon,", "Thanks,", "See you soon!", "Bien à vous,")


def _fmt(template: str, person: Person, sender: Sender) -> str:
    return template.format(
        company=esc(person.company),
        first=esc(person.first),
        title=esc(person.title),
        sender_first=esc(sender.first),
    )


def subject_for(rng: random.Random, person: Person, sender: Sender) -> str:
    template = rng.choice(SUBJECTS)
    return template.format(
        company=person.company, first=person.first, title=person.title, sender_first=sender.first
    )


def _signature(sender: Sender, rng: random.Random) -> str:
    if rng.random() < 0.3:
        inner = '<div dir="ltr"><div><div dir="ltr"></div></div></div>'  # empty, as in the example
    else:
        inner = (
            f'<div dir="ltr"><div>--</div><div><b>{esc(sender.name)}</b></div>'
            '<div>Sales Development | <a href="https://www.lemlist.com">lemlist</a></div>'
            '<div><img width="96" height="24" src="https://zr0.lemlst.org/api/files/Files/logo.png" '
            'alt="lemlist"></div></div>'
        )
    return (
        '\n    <div class="gmail_extra">\n      <div class="gmail_signature" '
        f'data-smartmail="gmail_signature">{inner}</div>\n      \n    </div>'
    )


def _lemlist_wrap(body: str, sender: Sender, task_id: str, rng: random.Random) -> str:
    """The envelope lemlist puts around every sent email (reply marker and open pixel)."""
    return (
        '<html><div style="min-width: 360px"></div><div dir="ltr">\n    <div>'
        + body
        + "</div>"
        + _signature(sender, rng)
        + "\n    </div>\n"
        + f'<span summary="/api/reply/data-ll-{task_id}"></span>\n'
        + f'<img alt="logo" src="{TRACK_HOST}/api/track/open/{sender.user_id}/{task_id}" '
        'height="1" width="1"></html>'
    )


def _p(text: str) -> str:
    return f'<p style="margin: 0px; box-sizing: border-box;">{text}</p>'


def sent_email(
    rng: random.Random, person: Person, sender: Sender, step: int, task_id: str, lead_id: str
) -> str:
    """A campaign email (step 0) or a follow-up (step >= 1), as lemlist sends it."""
    hello = esc(person.first) if person.full_name else "there"
    parts = [_p(f"Hi {hello},&nbsp;"), _p('<br style="box-sizing: border-box;">')]
    if step == 0:
        parts.append(_p(_fmt(rng.choice(PITCHES), person, sender)))
        lemcal = f"https://app.lemcal.com/@{sender.slug}/15-min-chat?leadId={lead_id}"
        if rng.random() < 0.5:
            # Links through lemlist's click tracker: the text shows one URL, the target is
            # another (a legitimate case the renderer flags as suspicious).
            target = "https%3A%2F%2Fwww.lemlist.com"
            tracked = f"{TRACK_HOST}/api/track/click/{sender.user_id}/{task_id}?u={target}"
            parts.append(_p(f'More on <a href="{tracked}">https://www.lemlist.com</a>.'))
        parts.append(
            _p(
                '☑️ Book a slot on 📅 <a style="color: rgb(51, 138, 241); text-decoration: none;" '
                f'href="{lemcal}">my lemcal</a> !'
            )
        )
    else:
        parts.append(_p(_fmt(rng.choice(FOLLOW_UPS), person, sender)))
    parts.append(_p("<br>"))
    parts.append(_p(f'{rng.choice(CLOSINGS)}<br style="box-sizing: border-box;">{esc(sender.name)}'))
    if rng.random() < 0.15:
        parts.append(
            _p(
                '<span style="font-size: 10px; color: #999">Not interested? '
                f'<a href="{TRACK_HOST}/api/unsubscribe/{task_id}">Unsubscribe</a></span>'
            )
        )
    return _lemlist_wrap("".join(parts), sender, task_id, rng)


# --------------------------------------------------------------------------- replies

REPLIES: dict[str, tuple[str, ...]] = {
    "en": (
        "Thanks for reaching out! Yes, happy to chat. Does Thursday 3pm work for you?",
        "Not interested at the moment, please remove me from your list.",
        "I'm not the right person for this, you should talk to our Head of Sales, Dana (dana@{domain}).",
        "Interesting. Could you send me some pricing information first?",
        "We already use a competitor and our contract runs until June. Ping me in May?",
        "Sounds good. I've booked a slot on your calendar.",
        "Can you tell me more about the LinkedIn part? We do most of our prospecting there.",
        "Please stop emailing me.",
        "Sure, let's talk next week. I've attached our current process so you have context.",
    ),
    "fr": (
        "Merci pour votre message ! Oui, avec plaisir. Jeudi 15h, ça vous va ?",
        "Bonjour, pas intéressé pour le moment, merci.",
        "Ce n'est pas moi qui gère ce sujet, voyez plutôt avec notre directrice commerciale.",
        "Haha bienvenue, j'adore cette campagne ! À très vite.",
        "Pouvez-vous m'envoyer une plaquette avec les tarifs ?",
    ),
    "de": (
        "Danke für Ihre Nachricht. Gerne, passt Ihnen Donnerstag um 15 Uhr?",
        "Kein Interesse, bitte nehmen Sie mich aus dem Verteiler.",
        "Können Sie mir vorab ein Angebot schicken?",
    ),
    "es": (
        "¡Gracias por escribir! Sí, me interesa. ¿Hablamos el jueves?",
        "No estamos interesados por ahora, gracias.",
        "¿Podrías enviarme más información sobre precios?",
    ),
    "it": ("Grazie, sono interessata. Possiamo sentirci giovedì?", "Non siamo interessati, grazie."),
    "nl": ("Bedankt! Stuur me gerust wat meer informatie.", "Geen interesse, bedankt."),
}

OUT_OF_OFFICE = (
    "I am out of the office until {date} with limited access to email. "
    "For urgent matters please contact support@{domain}."
)

OUR_REPLIES: tuple[str, ...] = (
    "Great, Thursday 3pm works. I just sent you an invite.",
    "Thanks {first}! I've attached our pricing overview. Happy to walk you through it.",
    "Understood, I've removed you from the sequence. Sorry for the noise!",
    "Thanks for pointing me in the right direction, I'll reach out to Dana.",
    "Noted, I'll get back to you in May then. Have a great day!",
    "Good question! In short: the same sequence can send emails, LinkedIn invites and messages.",
)


def reply_text(rng: random.Random, person: Person) -> str:
    """What the prospect answers, in their language more often than not."""
    if rng.random() < 0.07:
        return OUT_OF_OFFICE.format(date="Monday", domain=person.domain)
    pool = REPLIES.get(person.language, REPLIES["en"]) if rng.random() < 0.7 else REPLIES["en"]
    return rng.choice(pool).format(domain=person.domain)


@dataclass(frozen=True, slots=True)
class Quoted:
    """The message a reply quotes: who wrote it, when, and its HTML (or text)."""

    name: str
    email: str
    at_ms: int
    subject: str
    body: str
    to_name: str
    to_email: str


def _contact_signature(person: Person) -> str:
    name = person.full_name or person.first
    return f"{esc(name)}<br>{esc(person.title)} @ {esc(person.company)}<br>{esc(person.domain)}"


def contact_reply(rng: random.Random, person: Person, quoted: Quoted, style: str) -> str:
    """A prospect's reply in the HTML (or text) their mail client would produce."""
    text = esc(reply_text(rng, person))
    sig = _contact_signature(person)
    if style == "gmail":
        return (
            f'<div dir="ltr">{text}<br><br>{rng.choice(("Best", "Regards", "Thanks"))},<div>'
            f"{esc(person.first)}</div>"
            f'<div><br></div><div class="gmail_signature">{sig}</div></div><br>'
            '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
            f'On {when_gmail(quoted.at_ms)} {esc(quoted.name)} &lt;<a href="mailto:{quoted.email}">'
            f"{esc(quoted.email)}</a>&gt; wrote:<br></div>"
            '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid '
            f'rgb(204,204,204);padding-left:1ex">{quoted.body}\n</blockquote></div>\n'
        )
    if style == "outlook":
        return (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>'
            '</head><body dir="ltr"><div class="elementToProof" style="font-family: Aptos, Calibri, '
            f'Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">{text}</div>'
            '<div class="elementToProof" style="font-size: 12pt;"><br></div>'
            f'<div id="Signature"><table><tr><td style="font-size:10pt">{sig}</td></tr></table></div>'
            '<hr style="display:inline-block;width:98%" tabindex="-1">'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" '
            f'color="#000000"><b>From:</b> {esc(quoted.name)} &lt;{esc(quoted.email)}&gt;<br>'
            f"<b>Sent:</b> {when_outlook(quoted.at_ms)}<br>"
            f"<b>To:</b> {esc(quoted.to_name)} &lt;{esc(quoted.to_email)}&gt;<br>"
            f"<b>Subject:</b> {esc(quoted.subject)}</font><div>&nbsp;</div></div>"
            f"<div>{quoted.body}</div></body></html>"
        )
    if style == "apple":
        return (
            '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            f'<body dir="auto"><div dir="ltr">{text}</div><div dir="ltr"><br>'
            '<div>Sent from my iPhone</div></div><div dir="ltr"><br>'
            f'<blockquote type="cite">On {when_apple(quoted.at_ms)}, {esc(quoted.name)} '
            f"&lt;{esc(quoted.email)}&gt; wrote:<br><br></blockquote></div>"
            f'<blockquote type="cite"><div dir="ltr">{quoted.body}</div></blockquote></body></html>'
        )
    # Plain text client: "> " quoting of the previous message's text.
    quoted_lines = "\n".join(("> " + line).rstrip() for line in _as_text(quoted.body).splitlines())
    return (
        f"{reply_text(rng, person)}\n\n-- \n{person.full_name or person.first}\n\n"
        f"On {when_gmail(quoted.at_ms)}, {quoted.name} <{quoted.email}> wrote:\n{quoted_lines}\n"
    )


def our_reply(rng: random.Random, person: Person, sender: Sender, quoted: Quoted | None) -> str:
    """A team user answering from lemlist's inbox, Gmail-style quoting the prospect."""
    text = esc(rng.choice(OUR_REPLIES).format(first=person.first))
    if quoted is None:
        return f'<div dir="ltr"><div>{text}</div><div><br></div><div>{esc(sender.name)}</div></div>'
    return (
        f'<div dir="ltr"><div>{text}</div><div><br></div><div>{esc(sender.name)}</div></div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
        f"On {when_gmail(quoted.at_ms)} {esc(quoted.name)} &lt;"
        f'<a href="mailto:{quoted.email}">{esc(quoted.email)}</a>&gt; wrote:<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid '
        f'rgb(204,204,204);padding-left:1ex">{quoted.body}</blockquote></div>'
    )


def _as_text(body: str) -> str:
    """Crude HTML -> text, only to build the "> " quote of a plain-text reply."""
    if not _TAG.search(body):
        return body
    text = _BREAK.sub("\n", body)
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


# A tag name followed by attributes or ">": "<christophe.o@lemtest.com>" is not a tag.
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^>]*)?/?>")
_BREAK = re.compile(r"<br[^>]*>|</p>|</div>|</blockquote>|</tr>", re.IGNORECASE)


# --------------------------------------------------------------------------- other channels

LINKEDIN_SENT: tuple[str, ...] = (
    "Hi {first}, I came across your profile and would love to connect!",
    "Hey {first}, thanks for connecting! I work with {title}s at companies like {company}. "
    "Open to a quick chat about how you book meetings today?",
    "Hi {first} 👋 following up on my last message, would a short call next week make sense?",
)
LINKEDIN_REPLIES: tuple[str, ...] = (
    "Hi! Thanks for the connection. Sure, send me a few times that work for you.",
    "Not right now, but keep in touch.",
    "Hey, I saw your email too 😄 Let's do Tuesday.",
    "Who is this for exactly? We're a team of 4.",
    "Bonjour ! Avec plaisir, envoyez-moi un lien.",
)
WHATSAPP_SENT: tuple[str, ...] = (
    "Hi {first}, it's {sender_first} from lemlist, as discussed on LinkedIn. Is now a good time?",
)
WHATSAPP_REPLIES: tuple[str, ...] = ("Yes, call me in 10 min 👍", "Can we do tomorrow instead?")


def short_text(rng: random.Random, pool: tuple[str, ...], person: Person, sender: Sender) -> str:
    return rng.choice(pool).format(
        first=person.first, title=person.title, company=person.company, sender_first=sender.first
    )


def bounce_html(person: Person, sender: Sender) -> str:
    """The mailer-daemon notice lemlist records as an ``emailsBounced`` activity."""
    return (
        "<div><b>Delivery Status Notification (Failure)</b></div><div>Address not found</div>"
        f'<div>Your message wasn\'t delivered to <a href="mailto:{person.email}">{esc(person.email)}</a> '
        "because the address couldn't be found, or is unable to receive mail.</div>"
        "<div><small>550 5.1.1 The email account that you tried to reach does not exist.</small></div>"
    )


TASKS: tuple[str, ...] = (
    "Call {first} about the pricing question",
    "Check {company}'s website before the demo",
    "Send a personalised video to {first}",
)


def attachment(rng: random.Random, file_id: str) -> dict[str, object]:
    """Attachment metadata; lemlist's shape is undocumented, so spellings vary on purpose."""
    name, content_type = rng.choice(
        (
            ("Pricing 2025.pdf", "application/pdf"),
            ("current-process.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("screenshot.png", "image/png"),
            ("invite.ics", "text/calendar"),
            ("Präsentation Q1.pptx", "application/vnd.ms-powerpoint"),
        )
    )
    size = rng.randrange(2_000, 4_000_000)
    # Relative to the stand-in, so the URL works whatever port it listens on (demo.files).
    url = f"/files/{file_id}"
    roll = rng.random()
    if roll < 0.3:  # the shape lemlist documents for drafts: name, url, size, type
        return {"name": name, "url": url, "size": size, "type": content_type}
    if roll < 0.5:
        return {"name": name, "size": size, "contentType": content_type, "url": url}
    if roll < 0.8:
        return {"filename": name, "size": size, "contentType": content_type}
    return {"_id": file_id, "name": name, "filename": name, "size": size, "url": url}
