"""The stand-in's dataset: team users, conversations newest first, threads, read state.

Design, and why:

* Deterministic from ``seed``: the same seed gives the same ids, contacts, threads and
  read states, so tests can name what they expect. Timestamps are laid out backwards
  from a ``reference`` instant: by default the moment the dataset is built (so the UI's
  "5 min ago" makes sense in a demo), or a fixed datetime passed by tests for
  byte-identical output. Only the absolute timestamps depend on the reference; the
  order and every other field depend on the seed alone.
* Compact: one small record per conversation (index, times, read bitmask); the API
  dicts and threads are rendered on demand from a per-index plan (see ``threads``),
  so 100,000 conversations build in well under a second and take a few MB.
* lemlist's two documented examples are included verbatim (the four conversations of
  the ``GET /inbox`` example and Victoire's three-message thread); their timestamps are
  shifted by one constant so that they sit at the top of the list, as they did on the
  day of the example (pass ``reference=SEED_REFERENCE`` to get them unshifted).
* Thread-safe: one lock guards the order and the read/activity state, since the HTTP
  server answers from many threads and tests mutate state from theirs.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple, overload

from lemlist_inbox.demo import bodies
from lemlist_inbox.demo.bodies import Quoted, Sender
from lemlist_inbox.demo.ids import IdCodec, random_id
from lemlist_inbox.demo.names import EXTRA_TEAM_USERS, Person
from lemlist_inbox.demo.threads import (
    DAY,
    KINDS,
    MINUTE,
    Plan,
    activity_message,
    iso,
    make_plan,
    render_thread,
)

#: The instant lemlist's example list was taken (just after its newest activity).
SEED_REFERENCE = datetime(2024, 12, 17, 9, 45, tzinfo=UTC)
#: How far back generated activity goes from the reference.
SPAN_MS = 45 * DAY
TEAM_ID = "tea_b4rMsi2trB42WyuWP"


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def parse_ms(text: str) -> int:
    return to_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))


@lru_cache(maxsize=1)
def seed_documents() -> dict[str, Any]:
    """lemlist's documented examples, shipped as package data (never read from the repo)."""
    text = resources.files("lemlist_inbox.demo").joinpath("seed_data.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@dataclass(slots=True, eq=False)
class _Conv:
    """One conversation's mutable state; everything else is derived from its plan."""

    index: int  # generation index (>= 0), or -1 for a fixed (verbatim) conversation
    base_ms: int  # when its planned thread ends
    activity_ms: int  # lastActivityAt, moved by add_activity
    read: int | None = None  # bitmask of team users who have read it; None = as planned
    fixed: dict[str, Any] | None = None  # verbatim conversation (seed / hostile data)
    fixed_thread: list[Any] | None = None  # its messages, oldest first (hostile: some not dicts)
    extra: list[dict[str, Any]] | None = None  # messages added by add_activity, oldest first


class _Static(NamedTuple):
    """Per-conversation list fields that never change (only read state and activity do)."""

    conv_id: str
    contact_id: str
    created_by: str
    channels: tuple[str, ...]
    created_at: str
    last_reply_ms: int | None
    reply_channel: str | None
    sender_flags: tuple[bool, ...]
    initial_read: int
    full_name: str | None
    email: str


class ConversationsView(Sequence[dict[str, Any]]):
    """A read-only snapshot of the list, newest first, whose dicts are built on access.

    Building 100,000 dicts up front would cost seconds and hundreds of MB; tests
    usually look at a few. The dicts are fresh copies: change state through the
    ``Dataset`` methods, not by editing them.
    """

    def __init__(self, dataset: Dataset, records: list[_Conv]) -> None:
        self._dataset = dataset
        self._records = records

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._dataset._to_dict(r) for r in self._records[index]]
        return self._dataset._to_dict(self._records[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for record in self._records:
            yield self._dataset._to_dict(record)

    def ids(self) -> list[str]:
        """Every conversation ``_id`` in order, without building the whole dicts."""
        return [self._dataset._conv_id(r) for r in self._records]


class Dataset:
    """Team, conversations and threads of the stand-in (see the module docstring)."""

    def __init__(
        self,
        conversations: int = 300,
        seed: int = 7,
        users: int = 3,
        *,
        reference: datetime | None = None,
        hostile: bool = False,
        include_examples: bool = True,
    ) -> None:
        self.seed = seed
        self.team_id = TEAM_ID
        ref = reference or datetime.now(UTC).replace(microsecond=0)
        self.reference_ms = to_ms(ref)
        self._lock = threading.RLock()
        self._ibx = IdCodec("ibx", seed)
        self._ctc = IdCodec("ctc", seed)
        self.senders = _team(seed, users)
        self.users: list[dict[str, Any]] = [
            {"userId": s.user_id, "name": s.name, "email": s.email, "role": "admin" if i == 0 else "member"}
            for i, s in enumerate(self.senders)
        ]
        self._user_pos = {s.user_id: i for i, s in enumerate(self.senders)}
        #: Mailboxes whose connection broke (``disconnect_mailbox``): sends from them fail.
        self.disconnected: set[str] = set()
        self._generated = conversations
        self._bumps = 0
        self._plan = lru_cache(maxsize=8192)(self._make_plan)
        self._static = lru_cache(maxsize=16384)(self._make_static)
        self._thread = lru_cache(maxsize=128)(self._render_generated)

        rng = random.Random(seed)
        mean_gap = SPAN_MS / max(1, conversations)
        offset = float(4 * MINUTE + rng.randrange(MINUTE))
        self._by_index: list[_Conv] = []
        for index in range(conversations):
            at = self.reference_ms - int(offset)
            self._by_index.append(_Conv(index, at, at))
            offset += rng.expovariate(1.0 / mean_gap) + 1000
        self._fixed: dict[str, _Conv] = {}
        fixed: list[_Conv] = []
        if include_examples:
            fixed += self._example_records()
        if hostile:
            from lemlist_inbox.demo.hostile import hostile_conversations

            for conv, thread in hostile_conversations(self):
                at = parse_ms(conv["lastActivityAt"])
                fixed.append(_Conv(-1, at, at, fixed=conv, fixed_thread=thread))
        for record in fixed:
            assert record.fixed is not None
            self._fixed[record.fixed["contactId"]] = record
        self._order: list[_Conv] = sorted(self._by_index + fixed, key=lambda r: r.activity_ms, reverse=True)

    # ------------------------------------------------------------------ public API

    @property
    def conversations(self) -> ConversationsView:
        """All conversations, newest activity first (a snapshot; dicts built on access)."""
        with self._lock:
            return ConversationsView(self, list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def team(self, *, v2: bool = True) -> dict[str, Any]:
        """The ``GET /team`` object; ``users`` only with ``version=v2``, as documented."""
        out: dict[str, Any] = {
            "_id": self.team_id,
            "name": "lemlist",
            "userIds": [u["userId"] for u in self.users],
            "createdBy": self.users[0]["userId"] if self.users else None,
            "createdAt": "2018-02-22T08:52:30.926Z",
            "beta": [],
        }
        if v2:
            out["users"] = [dict(u) for u in self.users]
        return out

    def has_user(self, user_id: str) -> bool:
        return user_id in self._user_pos

    def page(self, offset: int, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Conversations ``offset .. offset+limit`` and the total, from one consistent state."""
        with self._lock:
            records = self._order[offset : offset + limit]
            return [self._to_dict(r) for r in records], len(self._order)

    def conversation(self, contact_id: str) -> dict[str, Any]:
        """The conversation with that contact (KeyError if none)."""
        with self._lock:
            return self._to_dict(self._record(contact_id))

    def thread(self, contact_id: str) -> list[Any]:
        """Messages (dicts) of the contact's thread, NEWEST first, as the endpoint serves them.

        ``list[Any]`` only because hostile data holds a few deliberately broken items.
        """
        with self._lock:
            record = self._record(contact_id)
            extra = list(record.extra or ())
        base: list[Any]
        if record.fixed_thread is not None:
            base = record.fixed_thread
        elif record.fixed is not None:
            base = []
        else:
            base = self._thread(record.index)
        return list(reversed(base + extra))

    def mark_read(self, contact_id: str, user_id: str) -> None:
        """Flip ``users[].read`` to true for that user only (KeyError if no such contact)."""
        with self._lock:
            record = self._record(contact_id)
            if record.fixed is not None:
                for entry in record.fixed.get("users") or ():
                    if isinstance(entry, dict) and entry.get("userId") == user_id:
                        entry["read"] = True
                return
            pos = self._user_pos.get(user_id)
            if pos is not None:
                record.read = self._read_mask(record) | (1 << pos)

    def remove(self, contact_id: str) -> None:
        """The conversation is deleted on lemlist: no longer listed (KeyError if no such contact)."""
        with self._lock:
            record = self._record(contact_id)
            self._order = [r for r in self._order if r is not record]

    def is_read(self, contact_id: str, user_id: str) -> bool | None:
        """That user's read flag for a conversation (None if the user is not listed)."""
        for entry in self.conversation(contact_id).get("users") or ():
            if isinstance(entry, dict) and entry.get("userId") == user_id:
                return bool(entry.get("read"))
        return None

    def add_activity(self, count: int = 1, *, new: int | None = None, now_ms: int | None = None) -> list[str]:
        """Move ``count`` conversations to the top with fresh activity, unread for everyone.

        Of those, ``new`` (default: a third, rounded down) are brand-new conversations and
        the rest existing ones picked deterministically below the first few rows, each
        getting a new reply from the prospect. Returns their ``_id``s, top first.
        """
        new_count = count // 3 if new is None else max(0, min(new, count))
        with self._lock:
            now = self.reference_ms if now_ms is None else now_ms
            top = self._order[0].activity_ms if self._order else now
            at = max(now, top + 1)
            rng = random.Random(self.seed * 7919 + self._bumps)
            self._bumps += 1
            touched: list[_Conv] = []
            pool = [r for r in self._order[5:] if r.fixed is None] or list(self._order)
            picks = rng.sample(pool, min(len(pool), count - new_count)) if pool else []
            for record in picks:
                at += rng.randrange(1, 2000)
                self._bump(record, at)
                touched.append(record)
            for _ in range(new_count):
                at += rng.randrange(1, 2000)
                index = len(self._by_index)
                record = _Conv(index, at, at, read=0)
                self._by_index.append(record)
                touched.append(record)
            moved = {id(r) for r in touched}
            self._order = [r for r in self._order if id(r) not in moved]
            self._order[:0] = sorted(touched, key=lambda r: r.activity_ms, reverse=True)
            return [self._conv_id(r) for r in self._order[: len(touched)]]

    # ------------------------------------------------------------------ writing (see ``outgoing``)

    def sender(self, user_id: str) -> Sender | None:
        """The team user as message fields spell them (mailbox, WhatsApp account)."""
        pos = self._user_pos.get(user_id)
        return self.senders[pos] if pos is not None else None

    def user_detail(self, user_id: str) -> dict[str, Any] | None:
        """``GET /users/{userId}``: lemlist's example shape, plus the WhatsApp accounts.

        lemlist documents no field for a user's WhatsApp accounts; ``whatsappAccounts`` is
        the stand-in's guess (the client reads it leniently, after the thread's own field).
        """
        sender = self.sender(user_id)
        if sender is None:
            return None
        role = next((u["role"] for u in self.users if u["userId"] == user_id), "member")
        with self._lock:
            status = "DISCONNECTED" if sender.mailbox_id in self.disconnected else "CONNECTED"
        return {
            "_id": sender.user_id,
            "email": sender.email,
            "name": sender.name,
            "role": role,
            "linkedIn": {
                "linkedinUrl": f"https://www.linkedin.com/in/{sender.slug}",
                "status": True,
                "inviteLimit": 25,
                "sendLimit": 33,
                "visitLimit": 36,
            },
            "mailboxes": [
                {
                    "_id": sender.mailbox_id,
                    "email": sender.email,
                    "provider": "google",
                    "status": status,
                    "lemlist": {"emailLimit": 50},
                    "lemwarm": {"active": False},
                }
            ],
            "whatsappAccounts": [{"_id": sender.whatsapp_account_id, "status": "CONNECTED"}],
        }

    def disconnect_mailbox(self, mailbox_id: str, disconnected: bool = True) -> None:
        """A mailbox whose connection broke: sends from it fail with lemlist's 400."""
        with self._lock:
            if disconnected:
                self.disconnected.add(mailbox_id)
            else:
                self.disconnected.discard(mailbox_id)

    def contact_for_lead(self, lead_id: str) -> str | None:
        """The contact whose thread names ``lead_id`` (a send given only ``leadId``)."""
        with self._lock:
            records = list(self._order)
        for record in records:
            if record.fixed is not None:
                messages = record.fixed_thread or []
                if any(isinstance(m, dict) and m.get("leadId") == lead_id for m in messages):
                    return str(record.fixed["contactId"])
            elif self._plan(record.index).lead_id == lead_id:
                return self._ctc.encode(record.index)
        return None

    def add_message(self, contact_id: str, message: dict[str, Any], user_id: str) -> int:
        """A message we sent joins the thread, and its conversation moves to the top.

        Stamped now (wall clock), or just after the current top if that is later, so the
        conversation is first in ``/inbox``; read for its sender, unchanged for the others.
        Returns the timestamp used (ms). KeyError for an unknown contact.
        """
        with self._lock:
            record = self._record(contact_id)
            top = self._order[0].activity_ms if self._order else 0
            at = max(int(time.time() * 1000), top + 1)
            message["createdAt"] = iso(at)
            if record.fixed is not None:
                record.fixed_thread = [*(record.fixed_thread or []), message]
                record.fixed["lastActivityAt"] = iso(at)
                for entry in record.fixed.get("users") or ():
                    if isinstance(entry, dict) and entry.get("userId") == user_id:
                        entry["read"] = True
            else:
                record.extra = [*(record.extra or []), message]
                pos = self._user_pos.get(user_id)
                if pos is not None:
                    record.read = self._read_mask(record) | (1 << pos)
            record.activity_ms = at
            self._order = [record, *(r for r in self._order if r is not record)]
            return at

    # ------------------------------------------------------------------ internals

    def _bump(self, record: _Conv, at: int) -> None:
        if record.fixed is not None:
            record.fixed["lastActivityAt"] = iso(at)
            for entry in record.fixed.get("users") or ():
                if isinstance(entry, dict):
                    entry["read"] = False
            record.activity_ms = at
            return
        plan = self._plan(record.index)
        sender = self.senders[plan.owner % len(self.senders)]
        channel = plan.channels[0]
        extra = record.extra if record.extra is not None else []
        extra.append(
            activity_message(
                self.seed,
                record.index,
                len(extra),
                at,
                plan.person,
                self.team_id,
                self._ctc.encode(record.index),
                sender,
                channel,
            )
        )
        record.extra = extra
        record.activity_ms = at
        record.read = 0

    def _record(self, contact_id: str) -> _Conv:
        fixed = self._fixed.get(contact_id)
        if fixed is not None:
            return fixed
        index = self._ctc.decode(contact_id)
        if index is None or index >= len(self._by_index):
            raise KeyError(contact_id)
        return self._by_index[index]

    def _conv_id(self, record: _Conv) -> str:
        if record.fixed is not None:
            return str(record.fixed["_id"])
        return self._ibx.encode(record.index)

    def _make_plan(self, index: int) -> Plan:
        return make_plan(self.seed, index, self._by_index[index].base_ms, len(self.senders))

    def _render_generated(self, index: int) -> list[dict[str, Any]]:
        contact_id = self._ctc.encode(index)
        return render_thread(self._plan(index), self.seed, self.team_id, contact_id, self.senders)

    def _read_mask(self, record: _Conv) -> int:
        if record.read is not None:
            return record.read
        return self._static(record.index).initial_read

    def _initial_read(self, plan: Plan) -> int:
        """Who has read it at start: unread only where the prospect spoke last, more often when recent."""
        everyone = (1 << len(self.senders)) - 1
        if not plan.replies or KINDS[plan.steps[-1].kind][1] != "them":
            return everyone
        position = plan.index / max(1, self._generated)
        chance = 0.6 if position < 0.03 else 0.3 if position < 0.2 else 0.06
        mask = 0
        for pos in range(len(self.senders)):
            roll = (plan.unread_bias * (pos + 1) * 7.31) % 1.0
            if roll >= chance:
                mask |= 1 << pos
        return mask

    def _make_static(self, index: int) -> _Static:
        """The list fields that only depend on the plan, computed once per conversation."""
        plan = self._plan(index)
        replies = plan.replies
        return _Static(
            conv_id=self._ibx.encode(index),
            contact_id=self._ctc.encode(index),
            created_by=plan.first_id,
            channels=tuple(plan.channels),
            created_at=iso(plan.steps[0].at_ms + 147),
            last_reply_ms=replies[-1].at_ms if replies else None,
            reply_channel=KINDS[replies[-1].kind][0] if replies else None,
            sender_flags=tuple(pos in plan.senders for pos in range(len(self.senders))),
            initial_read=self._initial_read(plan),
            full_name=plan.person.full_name,
            email=plan.person.email,
        )

    def _to_dict(self, record: _Conv) -> dict[str, Any]:
        if record.fixed is not None:
            return json.loads(json.dumps(record.fixed))  # type: ignore[no-any-return]
        st = self._static(record.index)
        mask = st.initial_read if record.read is None else record.read
        last_reply, reply_channel = st.last_reply_ms, st.reply_channel
        for message in record.extra or ():  # added by add_activity and by sends, newest last
            if KINDS.get(message["type"], ("", ""))[1] != "them":
                continue  # our own reply is no reply from the prospect
            last_reply = parse_ms(message["createdAt"])
            reply_channel = "linkedin" if message["type"].startswith("linkedin") else "email"
        out: dict[str, Any] = {
            "_id": st.conv_id,
            "opportunities": [],
            "lastActivityAt": iso(record.activity_ms),
            "createdBy": st.created_by,
            "channels": list(st.channels),
            "teamId": self.team_id,
            "contactId": st.contact_id,
            "users": [
                {"userId": sender.user_id, "sender": flag, "read": bool(mask >> pos & 1)}
                for pos, (sender, flag) in enumerate(zip(self.senders, st.sender_flags, strict=True))
            ],
            "createdAt": st.created_at,
            "haveReplies": last_reply is not None,
        }
        if last_reply is not None:
            out["lastRepliedAt"] = iso(last_reply + 1_204)
            out["lastRepliedChannel"] = reply_channel
        contact: dict[str, Any] = {"_id": st.contact_id}
        if st.full_name:
            contact["fullName"] = st.full_name
        contact["email"] = st.email
        out["contact"] = contact
        return out

    def _example_records(self) -> list[_Conv]:
        """lemlist's documented conversations, shifted so that they sit at the top."""
        docs = seed_documents()
        shift = self.reference_ms - to_ms(SEED_REFERENCE)
        records: list[_Conv] = []
        for conv in json.loads(json.dumps(docs["conversations"])):
            for key in ("lastActivityAt", "createdAt", "lastRepliedAt"):
                if isinstance(conv.get(key), str):
                    conv[key] = iso(parse_ms(conv[key]) + shift)
            thread = docs["threads"].get(conv["contactId"])
            if thread is not None:
                thread = json.loads(json.dumps(thread))
                for message in thread:
                    message["createdAt"] = iso(parse_ms(message["createdAt"]) + shift)
                thread.reverse()  # stored as served (newest first); records keep oldest first
            else:
                thread = self._example_thread(conv)
            at = parse_ms(conv["lastActivityAt"])
            records.append(_Conv(-1, at, at, fixed=conv, fixed_thread=thread))
        return records

    def _example_thread(self, conv: dict[str, Any]) -> list[dict[str, Any]]:
        """A two-message thread for an example conversation whose thread is not documented."""
        rng = random.Random(conv["_id"])
        contact = conv.get("contact") or {}
        email = str(contact.get("email") or "contact@example.com")
        first = str(contact.get("fullName") or email.split("@")[0].split(".")[0].capitalize())
        person = Person(
            first, "", contact.get("fullName"), email, "lemlist", email.split("@")[-1], "Growth", "fr"
        )
        owner_id = conv["users"][-1]["userId"]
        sender = next((s for s in self.senders if s.user_id == owner_id), self.senders[-1])
        sent_ms = parse_ms(conv["createdAt"]) - 150
        lead_id = random_id(rng, "lea")
        sent = bodies.sent_email(rng, person, sender, 0, random_id(rng, "tsk"), lead_id)
        subject = bodies.subject_for(rng, person, sender)
        common = {
            "teamId": self.team_id,
            "leadId": lead_id,
            "campaignId": random_id(rng, "cam"),
            "sequenceId": random_id(rng, "seq"),
            "sequenceStep": 0,
            "sendUserId": sender.user_id,
            "sendUserName": sender.name,
            "sendUserEmail": sender.email,
            "sendUserMailboxId": sender.mailbox_id,
            "leadEmail": email,
            "contactId": conv["contactId"],
        }
        first_msg = {
            "_id": conv["createdBy"],
            "type": "emailsSent",
            "createdAt": iso(sent_ms),
            **common,
            "message": sent,
            "subject": subject,
            "attachments": [],
        }
        reply_ms = parse_ms(conv.get("lastRepliedAt") or conv["lastActivityAt"]) - 1_204
        quoted = Quoted(sender.name, sender.email, sent_ms, subject, sent, first, email)
        reply = {
            "_id": random_id(rng, "act"),
            "type": "emailsReplied",
            "createdAt": iso(reply_ms),
            "fromEmail": email,
            **common,
            "message": bodies.contact_reply(rng, person, quoted, "gmail"),
            "subject": "Re: " + subject,
            "attachments": [],
        }
        return [first_msg, reply]


def _team(seed: int, count: int) -> list[Sender]:
    """The team: lemlist's two example users first, then invented colleagues."""
    docs = seed_documents()
    out = [Sender(u["userId"], u["name"], u["email"], u["mailboxId"]) for u in docs["users"]][: max(1, count)]
    codec = IdCodec("usr", seed)
    rng = random.Random(seed * 13)
    k = 0
    while len(out) < count:
        if k < len(EXTRA_TEAM_USERS):
            name, local, _role = EXTRA_TEAM_USERS[k]
        else:
            name, local = f"Teammate {k + 1}", f"teammate{k + 1}"
        out.append(Sender(codec.encode(k), name, f"{local}@lemtest.com", random_id(rng, "usm")))
        k += 1
    return out
