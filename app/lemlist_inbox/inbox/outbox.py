"""The outbox: a reply is written down before it is sent and crossed off only when lemlist
confirms it, so nothing the user wrote is lost and nothing is sent twice.

Each entry moves through states, each written to the database *before* the step it
names, so a crash at any point leaves an entry whose state tells the truth:

* ``pending``: written, not yet tried (or put back by the user after a failure);
* ``sending``: the POST is about to leave or is on its way. Found in this state at start
  (the app died mid-send) and older than ``STALE_SENDING``, it becomes ``unknown``;
* ``failed``: lemlist answered with an error, or the request never left (connection
  refused): certainly not sent; the user may retry with a key;
* ``unknown``: the request left but no answer came (timeout, reset, crash): it *may*
  have been sent. Never resent by itself: ``appears_in`` looks for it in the thread, and
  the user is asked.

A confirmed send removes the entry. Pure (no Textual, no HTTP): the caller does the
request and reports the outcome here.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from lemlist_inbox.inbox.db import InboxDatabase

__all__ = ["Outbox", "OutboxEntry", "OutboxState"]

OutboxState = Literal["pending", "sending", "unknown", "failed"]
#: Seconds after which a "sending" entry is taken for a crash's leftover (``recover``):
#: well past a send's longest wait (the client's 15 s timeout plus the rate limiter's holds).
STALE_SENDING = 120.0
_COLUMNS = (
    "id, contact_id, conversation_id, user_id, channel, payload, text, state,"
    " created_at, updated_at, attempts, last_error, draft_id"
)


@dataclass(frozen=True)
class OutboxEntry:
    """One reply waiting for lemlist's confirmation."""

    id: str
    contact_id: str
    conversation_id: str | None
    user_id: str
    channel: str
    payload: Mapping[str, Any]
    text: str
    state: OutboxState
    created_at: float
    updated_at: float
    attempts: int = 0
    last_error: str | None = None
    draft_id: str | None = None

    @property
    def may_have_been_sent(self) -> bool:
        return self.state == "unknown"


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    (
        ident,
        contact,
        conversation,
        user,
        channel,
        payload,
        text,
        state,
        created,
        updated,
        tries,
        error,
        draft,
    ) = row
    return OutboxEntry(
        ident,
        contact,
        conversation,
        user,
        channel,
        json.loads(payload),
        text,
        state,
        float(created),
        float(updated),
        int(tries),
        error,
        draft,
    )


def _words(text: str) -> list[str]:
    return "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()


class Outbox:
    """The ``outbox`` table of one local inbox."""

    def __init__(self, db: InboxDatabase, *, clock: Any = time.time) -> None:
        self._db = db
        self._clock = clock

    def add(
        self,
        *,
        contact_id: str,
        user_id: str,
        channel: str,
        payload: Mapping[str, Any],
        text: str,
        conversation_id: str | None = None,
        draft_id: str | None = None,
    ) -> OutboxEntry | None:
        """Write a reply down before anything is sent; None if the file cannot take it.

        The caller must not send when this returns None: the reply would exist only in
        memory (the UI keeps the text and says it could not be saved).
        """
        now = self._clock()
        entry = OutboxEntry(
            id=f"out_{uuid.uuid4().hex}",
            contact_id=contact_id,
            conversation_id=conversation_id,
            user_id=user_id,
            channel=channel,
            payload=dict(payload),
            text=text,
            state="pending",
            created_at=now,
            updated_at=now,
            draft_id=draft_id,
        )
        payload_text = json.dumps(entry.payload, ensure_ascii=True)

        def write(db: sqlite3.Connection) -> bool:
            db.execute(
                f"INSERT INTO outbox ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    entry.id,
                    contact_id,
                    conversation_id,
                    user_id,
                    channel,
                    payload_text,
                    text,
                    "pending",
                    now,
                    now,
                    0,
                    None,
                    draft_id,
                ),
            )
            return True

        return entry if self._db.write("outbox add", write) else None

    def _set(
        self, entry_id: str, state: OutboxState, *, error: str | None = None, tried: bool = False
    ) -> bool:
        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE outbox SET state = ?, updated_at = ?, last_error = COALESCE(?, last_error),"
                " attempts = attempts + ? WHERE id = ?",
                (state, self._clock(), error, int(tried), entry_id),
            )
            return cursor.rowcount == 1

        return bool(self._db.write(f"outbox {state}", write))

    def begin_send(self, entry_id: str) -> bool:
        """Call right before the POST; False means do not send (not saved, gone, or in flight).

        One conditional UPDATE, so of two instances (or two key presses) racing on one
        entry exactly one gets True: "sending" or "unknown" may be out already; never twice.
        """

        def write(db: sqlite3.Connection) -> bool:
            cursor = db.execute(
                "UPDATE outbox SET state = 'sending', updated_at = ?, attempts = attempts + 1"
                " WHERE id = ? AND state IN ('pending', 'failed')",
                (self._clock(), entry_id),
            )
            return cursor.rowcount == 1

        return bool(self._db.write("outbox sending", write))

    def sent(self, entry_id: str) -> None:
        """lemlist confirmed it: the entry is done."""
        self._db.write("outbox sent", lambda db: db.execute("DELETE FROM outbox WHERE id = ?", (entry_id,)))

    def failed(self, entry_id: str, error: str) -> None:
        """Certainly not sent (an error answer, or the request never left)."""
        self._set(entry_id, "failed", error=error)

    def unknown(self, entry_id: str, error: str) -> None:
        """It left without an answer: maybe sent. Only the user decides to resend."""
        self._set(entry_id, "unknown", error=error)

    def retry(self, entry_id: str, *, confirmed_not_sent: bool = False) -> bool:
        """Put an entry back to ``pending``; an ``unknown`` one only with the user's word."""
        current = self.get(entry_id)
        if current is None:
            return False
        if current.state == "unknown" and not confirmed_not_sent:
            return False
        return self._set(entry_id, "pending")

    def discard(self, entry_id: str) -> None:
        self.sent(entry_id)

    def recover(self, *, older_than: float = STALE_SENDING) -> list[OutboxEntry]:
        """At start: an entry left ``sending`` by a crash may have gone out: ``unknown``.

        Only one that has been ``sending`` for ``older_than`` seconds: a younger one may be
        on the wire from another instance right now (the TUI and ``outbox --send`` on one
        file), and calling it "unknown" would let a confirmed resend race it.
        """

        now = self._clock()

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "UPDATE outbox SET state = 'unknown', updated_at = ?,"
                " last_error = COALESCE(last_error, 'the app stopped while sending')"
                " WHERE state = 'sending' AND updated_at <= ?",
                (now, now - older_than),
            )

        self._db.write("outbox recover", write)
        return self.entries()

    def get(self, entry_id: str) -> OutboxEntry | None:
        row = self._db.read(
            lambda db: db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE id = ?", (entry_id,)).fetchone(), None
        )
        return _entry(row) if row is not None else None

    def entries(self, contact_id: str | None = None) -> list[OutboxEntry]:
        """What waits, oldest first (one contact's, or all)."""
        sql = f"SELECT {_COLUMNS} FROM outbox"
        params: tuple[str, ...] = ()
        if contact_id is not None:
            sql += " WHERE contact_id = ?"
            params = (contact_id,)
        none: list[tuple[Any, ...]] = []
        rows = self._db.read(lambda db: db.execute(sql + " ORDER BY created_at", params).fetchall(), none)
        return [_entry(row) for row in rows]

    @staticmethod
    def appears_in(entry: OutboxEntry, texts: Iterable[tuple[float | None, str]]) -> bool:
        """Whether a thread's messages ((created, rendered text) pairs) hold this reply.

        A message created after the entry (with a minute of clock skew) whose words start
        with the reply's words: lemlist may add a signature or tracking, never change the
        words the user typed.
        """
        wanted = _words(entry.text)
        if not wanted:
            return False
        for created, text in texts:
            if created is not None and created < entry.created_at - 60:
                continue
            if _words(text)[: len(wanted)] == wanted:
                return True
        return False
