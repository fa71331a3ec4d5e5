"""Per-conversation plans and their threads, generated lazily from (seed, index).

A 100,000-conversation stand-in cannot hold 100,000 threads of HTML. Instead each
conversation has a *plan* (contact, channels, who sent what and when) drawn from a
generator seeded with (seed, index); the list endpoint needs only the plan, and the
thread endpoint renders the messages from the same plan when asked. Both therefore
always agree (``createdBy`` is the first message id, ``lastRepliedAt`` the last reply).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from lemlist_inbox.demo import bodies
from lemlist_inbox.demo.bodies import Quoted, Sender
from lemlist_inbox.demo.ids import random_id
from lemlist_inbox.demo.names import Person, make_person

MINUTE = 60_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR

#: message type -> (channel, who writes it: "us" / "them" / "other")
KINDS: dict[str, tuple[str, str]] = {
    "emailsSent": ("email", "us"),
    "emailsReplied": ("email", "them"),
    "linkedinSent": ("linkedin", "us"),
    "linkedinReplied": ("linkedin", "them"),
    "whatsappSent": ("whatsapp", "us"),
    "whatsappReplied": ("whatsapp", "them"),
    "emailsBounced": ("email", "other"),  # not a message type the client knows: must be kept
    "manualTask": ("other", "other"),  # idem
}

CAMPAIGNS: tuple[str, ...] = (
    "Outbound EU - Q1",
    "Founders NA",
    "Event follow-up",
    "Webinar attendees",
    "Re-engagement",
    "LinkedIn warm-up",
    "Partners 2025",
    "Product launch",
)


def iso(ms: int) -> str:
    """``2024-12-03T09:52:55.466Z``: the API's timestamp spelling."""
    seconds, millis = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(seconds)) + f"{millis:03d}Z"


@dataclass(frozen=True, slots=True)
class Step:
    """One message of the plan: its type, time, author (team user index) and sequence step."""

    kind: str
    at_ms: int
    user: int
    sequence_step: int | None


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything the list endpoint needs about one generated conversation."""

    index: int
    person: Person
    owner: int
    campaign_id: str
    campaign_name: str
    sequence_id: str
    lead_id: str
    first_id: str
    steps: tuple[Step, ...]
    style: str  # the prospect's mail client: gmail / outlook / apple / text
    unread_bias: float  # chance each user has not read it yet

    @property
    def channels(self) -> list[str]:
        seen: list[str] = []
        for step in self.steps:
            channel = KINDS[step.kind][0]
            if channel != "other" and channel not in seen:
                seen.append(channel)
        return seen or ["email"]

    @property
    def replies(self) -> list[Step]:
        return [s for s in self.steps if KINDS[s.kind][1] == "them"]

    @property
    def senders(self) -> set[int]:
        return {s.user for s in self.steps if KINDS[s.kind][1] == "us"}


def _rng(seed: int, index: int, salt: int = 0) -> random.Random:
    return random.Random((seed * 1_000_003 + index) * 7 + salt)


_LENGTHS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
_LENGTH_WEIGHTS = (10, 22, 22, 14, 9, 6, 4, 3, 2, 2, 1.5, 1.2, 1, 0.8, 0.6)


def _kinds(rng: random.Random, length: int) -> list[str]:
    """The message types of a thread, in order: a sequence, then a conversation."""
    roll = rng.random()
    if roll < 0.03:
        return ["emailsSent", "emailsBounced"][:length] if length > 1 else ["emailsSent"]
    if roll < 0.73:
        ours, theirs = ["emailsSent"], ["emailsReplied"]
    elif roll < 0.87:
        ours, theirs = ["linkedinSent"], ["linkedinReplied"]
    elif roll < 0.97:
        ours, theirs = ["emailsSent", "linkedinSent"], ["emailsReplied", "linkedinReplied"]
    elif roll < 0.985:
        ours, theirs = ["linkedinSent", "whatsappSent"], ["linkedinReplied", "whatsappReplied"]
    else:  # WhatsApp only: a chat with no email or LinkedIn step at all
        ours, theirs = ["whatsappSent"], ["whatsappReplied"]
    replied = rng.random() < 0.68
    kinds: list[str] = []
    # The sequence: up to 3 touches before any reply.
    touches = length if not replied else max(1, min(length - 1, rng.choice((1, 1, 1, 2, 2, 3))))
    for i in range(min(touches, length)):
        kinds.append(ours[i % len(ours)])
    # The conversation: the prospect and us, taking turns.
    turn_them = True
    while len(kinds) < length:
        channel = rng.randrange(len(theirs))
        kinds.append(theirs[channel] if turn_them else ours[channel])
        turn_them = not turn_them if rng.random() < 0.85 else turn_them
    if length >= 4 and rng.random() < 0.15:
        kinds.insert(rng.randrange(1, len(kinds)), "manualTask")
        kinds.pop()
    return kinds


def make_plan(seed: int, index: int, last_ms: int, n_users: int) -> Plan:
    """The plan of generated conversation ``index`` whose last message is near ``last_ms``."""
    rng = _rng(seed, index)
    person = make_person(rng)
    owner = rng.randrange(n_users) if n_users else 0
    length = rng.choices(_LENGTHS, _LENGTH_WEIGHTS)[0]
    kinds = _kinds(rng, length)
    # Times, walking back from the last message: minutes to days between messages.
    times = [last_ms - rng.randrange(0, 90_000)]
    for kind in reversed(kinds[1:]):
        gap = rng.choice((rng.randrange(2 * MINUTE, 3 * HOUR), rng.randrange(3 * HOUR, 4 * DAY)))
        if KINDS[kind][1] == "us" and kind != "emailsSent":
            gap = rng.randrange(MINUTE, 2 * DAY)
        times.append(times[-1] - gap)
    times.reverse()
    steps = []
    step_no = 0
    in_sequence = True
    for kind, at in zip(kinds, times, strict=True):
        author = KINDS[kind][1]
        if author == "them":
            in_sequence = False
        user = owner
        if author == "us" and not in_sequence and n_users > 1 and rng.random() < 0.25:
            user = rng.randrange(n_users)  # a colleague answers from the shared inbox
        seq_step = step_no if (author == "us" and in_sequence) else None
        if author == "us" and in_sequence:
            step_no += 1
        steps.append(Step(kind, at, user, seq_step))
    return Plan(
        index=index,
        person=person,
        owner=owner,
        campaign_id=random_id(rng, "cam"),
        campaign_name=rng.choice(CAMPAIGNS),
        sequence_id=random_id(rng, "seq"),
        lead_id=random_id(rng, "lea"),
        first_id=random_id(rng, "act"),
        steps=tuple(steps),
        style=rng.choice(("gmail", "gmail", "gmail", "outlook", "outlook", "apple", "text")),
        unread_bias=rng.random(),
    )


def render_thread(
    plan: Plan, seed: int, team_id: str, contact_id: str, senders: list[Sender]
) -> list[dict[str, Any]]:
    """The plan's messages as API dicts, OLDEST first (the server reverses them)."""
    rng = _rng(seed, plan.index, salt=1)
    person = plan.person
    out: list[dict[str, Any]] = []
    subject = ""
    previous: Quoted | None = None
    for n, step in enumerate(plan.steps):
        sender = senders[step.user % len(senders)]
        msg_id = plan.first_id if n == 0 else random_id(rng, "act")
        channel, author = KINDS[step.kind]
        msg: dict[str, Any] = {
            "_id": msg_id,
            "type": step.kind,
            "createdAt": iso(step.at_ms),
            "teamId": team_id,
            "leadId": plan.lead_id,
            "campaignId": plan.campaign_id,
            "campaignName": plan.campaign_name,
            "sequenceId": plan.sequence_id,
            "sequenceStep": step.sequence_step if step.sequence_step is not None else 0,
            "sendUserId": sender.user_id,
            "sendUserName": sender.name,
            "sendUserEmail": sender.email,
            "sendUserMailboxId": sender.mailbox_id,
            "leadEmail": person.email,
            "contactId": contact_id,
        }
        if step.sequence_step is None:
            del msg["sequenceStep"]
        attachments: list[dict[str, object]] = []
        if channel == "email" and author == "us":
            task_id = random_id(rng, "tsk")
            if step.sequence_step is not None:
                if not subject:
                    subject = bodies.subject_for(rng, person, sender)
                body = bodies.sent_email(rng, person, sender, step.sequence_step, task_id, plan.lead_id)
            else:
                if not subject:
                    subject = bodies.subject_for(rng, person, sender)
                body = bodies.our_reply(rng, person, sender, previous)
                if rng.random() < 0.15:
                    attachments.append(bodies.attachment(rng, random_id(rng, "fil") + ".pdf"))
            msg["messageId"] = f"<{random_id(rng, 'CA')[3:]}@mail.gmail.com>"
            msg["subject"] = subject if step.sequence_step == 0 else "Re: " + subject
            msg["message"] = body
            previous = Quoted(
                sender.name,
                sender.email,
                step.at_ms,
                msg["subject"],
                body,
                person.full_name or person.email,
                person.email,
            )
        elif channel == "email" and author == "them":
            quoted = previous or Quoted(sender.name, sender.email, step.at_ms - HOUR, subject, "", "", "")
            body = bodies.contact_reply(rng, person, quoted, plan.style)
            msg["fromEmail"] = person.email
            domain = "prod.outlook.com" if plan.style == "outlook" else "mail.gmail.com"
            msg["messageId"] = f"<{random_id(rng, 'CA')[3:]}@{domain}>"
            msg["subject"] = "Re: " + (subject or "(no subject)")
            msg["message"] = body
            if rng.random() < 0.12:
                for _ in range(rng.choice((1, 1, 2, 3))):
                    attachments.append(bodies.attachment(rng, random_id(rng, "fil")))
            previous = Quoted(
                person.full_name or person.email,
                person.email,
                step.at_ms,
                msg["subject"],
                body,
                sender.name,
                sender.email,
            )
        elif step.kind == "emailsBounced":
            msg["subject"] = "Delivery Status Notification (Failure)"
            msg["message"] = bodies.bounce_html(person, sender)
        elif step.kind == "manualTask":
            msg["message"] = bodies.short_text(rng, bodies.TASKS, person, sender)
            msg["taskStatus"] = rng.choice(("done", "pending"))
        else:
            pool = {
                ("linkedin", "us"): bodies.LINKEDIN_SENT,
                ("linkedin", "them"): bodies.LINKEDIN_REPLIES,
                ("whatsapp", "us"): bodies.WHATSAPP_SENT,
                ("whatsapp", "them"): bodies.WHATSAPP_REPLIES,
            }[(channel, author)]
            msg["message"] = bodies.short_text(rng, pool, person, sender)
            if channel == "whatsapp":
                msg["sendUserWhatsappAccountId"] = sender.whatsapp_account_id
            if author == "them":
                msg["fromLinkedinUrl" if channel == "linkedin" else "fromPhone"] = (
                    f"https://www.linkedin.com/in/{person.first.lower()}-{plan.index}"
                    if channel == "linkedin"
                    else "+33 6 12 34 56 78"
                )
        msg["attachments"] = attachments
        out.append(msg)
    return out


def activity_message(
    seed: int,
    index: int,
    bump: int,
    at_ms: int,
    person: Person,
    team_id: str,
    contact_id: str,
    sender: Sender,
    channel: str,
) -> dict[str, Any]:
    """A new reply from the prospect, appended when ``add_activity`` bumps a conversation."""
    rng = _rng(seed, index, salt=100 + bump)
    kind = "linkedinReplied" if channel == "linkedin" else "emailsReplied"
    msg: dict[str, Any] = {
        "_id": random_id(rng, "act"),
        "type": kind,
        "createdAt": iso(at_ms),
        "teamId": team_id,
        "sendUserId": sender.user_id,
        "sendUserName": sender.name,
        "sendUserEmail": sender.email,
        "leadEmail": person.email,
        "contactId": contact_id,
        "attachments": [],
    }
    if kind == "emailsReplied":
        msg["fromEmail"] = person.email
        msg["subject"] = "Re: following up"
        msg["message"] = f'<div dir="ltr">{bodies.esc(bodies.reply_text(rng, person))}</div>'
    else:
        msg["message"] = bodies.short_text(rng, bodies.LINKEDIN_REPLIES, person, sender)
    return msg
