"""The on-disk inbox: one SQLite file per account and viewing user.

Why SQLite (stdlib ``sqlite3``, WAL): the API allows 20 requests / 2 s and has no change
feed, so every start used to re-read the whole inbox and every thread; a local copy makes
the start instant, the sync incremental and the inbox readable offline, as neomutt's and
aerc's header caches and meli's SQLite cache do. The file also holds what the app *owes*
the server (read marks made offline), so losing it loses a promise made to the user.

What it holds, each as the API sent it (a renderer change needs no refetch):

* ``conversations``: the raw item plus the columns the list draws (so the first frame can
  be built without pydantic, which costs ~100 ms to import);
* ``threads``: the messages of each opened or prefetched thread, with the last activity of
  the conversation when they were fetched (a reopen only refetches when it moved since);
* ``summaries``: per stored thread, what the list draws of it (subject, first words of the
  newest message, who spoke last, when: ``inbox.summary``), read with the rows at a warm
  start so the first frame shows them;
* ``pending_marks``: read marks not yet confirmed by the server, sent when the link is back;
* ``state``: sync bookkeeping (last sync, last reconcile, team).

It never holds the API key: the file name is derived from the base URL and the user id.

Robustness rules, each with a test: a file of a newer or unknown schema, or a corrupt one,
is moved aside and rebuilt with one warning; two instances on one file both work (WAL plus
a busy timeout); a failed write (disk full, read-only folder) switches the database to
*degraded* mode: the app keeps its in-memory state, says so once (``warning``), and later
writes are skipped instead of raising into the UI.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from lemlist_inbox.api.read_state import UserState, is_read_by
from lemlist_inbox.inbox.summary import ThreadSummary

__all__ = [
    "SCHEMA_VERSION",
    "DatabaseInfo",
    "InboxDatabase",
    "PendingMarkRow",
    "StoredConversation",
    "StoredThread",
    "database_path",
]

log = logging.getLogger(__name__)

#: Bumped on any change to the tables below; an older file is migrated (``_MIGRATIONS``)
#: or, when no migration exists from its version, rebuilt.
SCHEMA_VERSION = 2
#: ``PRAGMA application_id``: tells our files from any other SQLite file at that path.
APPLICATION_ID = 0x4C4D4958  # "LMIX"
#: How long a write waits for another instance's transaction before giving up.
BUSY_TIMEOUT_MS = 5_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    contact_id TEXT,
    -- what the list draws, one JSON array so a warm start decodes once per row:
    -- [[_id, fullName, firstName, lastName, email, linkedinUrl] | null,
    --  [[userId, sender, read], ...], [channel, ...]]
    listing TEXT NOT NULL,
    last_activity_at TEXT,   -- as the API sent it
    activity REAL NOT NULL,  -- the same instant as a number, for ordering (-inf unknown)
    have_replies INTEGER,
    unread INTEGER NOT NULL  -- for the file's viewing user: the status line's count at start
) WITHOUT ROWID;
-- the whole item as the API sent it, apart: it is most of the bytes, and a warm start
-- reading the list's columns must not wade through it (12 ms for 400 rows with it, 2 without)
CREATE TABLE IF NOT EXISTS raw_items (
    id TEXT PRIMARY KEY,
    raw TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS conversations_by_activity ON conversations (activity DESC, id);
CREATE TABLE IF NOT EXISTS threads (
    contact_id TEXT PRIMARY KEY,
    activity REAL NOT NULL,  -- the conversation's last activity when fetched
    fetched_at REAL NOT NULL,
    messages TEXT NOT NULL   -- JSON array of the messages as the API sent them
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS summaries (
    contact_id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    snippet TEXT NOT NULL,
    last_from TEXT NOT NULL, -- "us", "them" or ""
    latest REAL NOT NULL     -- the newest message's time (-inf unknown)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending_marks (
    conversation_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;
-- full-text search over stored messages (``inbox.search``): rendered text, not HTML
CREATE VIRTUAL TABLE IF NOT EXISTS message_text USING fts5(
    subject, body, sender, address,
    contact_id UNINDEXED, message_id UNINDEXED, created UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
-- replies not yet confirmed by lemlist (``inbox.outbox``): written before a send starts
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL,
    conversation_id TEXT,
    user_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,   -- JSON: the POST body exactly as it will be sent
    text TEXT NOT NULL,      -- what the user typed (to show, edit, and find in the thread)
    state TEXT NOT NULL,     -- pending | sending | unknown | failed
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    draft_id TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
"""

_TABLES = (
    "conversations", "raw_items", "threads", "summaries", "pending_marks", "outbox", "state", "message_text",
)  # fmt: skip

#: From a version to the next: statements run in one write transaction, so an older
#: file keeps everything it holds (rows, threads, read marks and replies still owed).
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    # 1 -> 2: the list's summaries of stored threads (filled as threads are stored again
    # or read back by the prefetch: the migration itself renders nothing).
    1: (
        "CREATE TABLE IF NOT EXISTS summaries (contact_id TEXT PRIMARY KEY, subject TEXT NOT NULL,"
        " snippet TEXT NOT NULL, last_from TEXT NOT NULL, latest REAL NOT NULL) WITHOUT ROWID",
    ),
}

#: (_id, fullName, firstName, lastName, email, linkedinUrl), as in the list's store.
ContactFields = tuple[str | None, str | None, str | None, str | None, str | None, str | None]

T = TypeVar("T")


class StoredConversation(NamedTuple):
    """One conversation row: what the list needs to draw it, and the raw item."""

    id: str
    contact_id: str | None
    contact: ContactFields | None
    users: tuple[UserState, ...]
    channels: tuple[str, ...]
    last_activity_at: str | None
    activity: float
    have_replies: bool | None
    raw: str
    #: What the list shows of the stored thread, if one is stored (``inbox.summary``).
    summary: ThreadSummary | None = None


class StoredThread(NamedTuple):
    """A thread as fetched: messages as the API sent them, oldest first."""

    contact_id: str
    activity: float
    fetched_at: float
    messages: list[dict[str, Any]]


class PendingMarkRow(NamedTuple):
    """A read mark owed to the server."""

    conversation_id: str
    contact_id: str
    user_id: str
    created_at: float
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class DatabaseInfo:
    """What ``lemlist-inbox cache info`` prints."""

    path: Path | None
    size_bytes: int
    conversations: int
    threads: int
    pending_marks: int
    outbox: int
    last_sync: float | None
    last_reconcile: float | None
    degraded: str | None


def database_path(data_dir: Path, base_url: str, user_id: str, *, demo: bool = False) -> Path:
    """Where the database of one account and viewing user lives.

    The name is a digest of the base URL and the user id (user ids are unique across
    lemlist, so they imply the team; the team is also checked at sync time). Never the
    key: a digest of a secret is still material to attack offline. The demo gets files
    of its own, whatever port its stand-in listens on this time.
    """
    scope = "demo" if demo else "inbox"
    where = "" if demo else base_url.rstrip("/")
    digest = hashlib.sha256(f"{scope}\n{where}\n{user_id}".encode()).hexdigest()[:20]
    return data_dir / f"{scope}-{digest}.sqlite3"


def _listing(row: StoredConversation) -> str:
    contact = list(row.contact) if row.contact is not None else None
    return _dumps([contact, [list(user) for user in row.users], list(row.channels)])


def _rows(cursor: Iterable[Sequence[Any]]) -> list[StoredConversation]:
    """Rows as written by ``save_conversations``; one that does not decode is skipped.

    The shape is ours, so it is trusted as a whole (no per-field checks: at 100,000 rows
    they cost more than the query); a damaged row costs itself, not the start.
    """
    out: list[StoredConversation] = []
    append = out.append
    loads = json.loads
    for ident, contact_id, listing, last_at, activity, replies, *summary in cursor:
        try:
            contact, users, channels = loads(listing)
            append(
                StoredConversation(
                    ident,
                    contact_id,
                    tuple(contact) if contact is not None else None,
                    tuple(map(tuple, users)),
                    tuple(channels),
                    last_at,
                    activity,
                    None if replies is None else bool(replies),
                    "",
                    _summary(summary),
                )
            )
        except (ValueError, TypeError):
            log.warning("store: skipped an unreadable row")
    return out


def _summary(columns: Sequence[Any]) -> ThreadSummary | None:
    """The joined ``summaries`` columns of a row (all NULL: no stored thread)."""
    if not columns or columns[0] is None:
        return None
    subject, snippet, last_from, latest = columns
    return ThreadSummary(str(subject), str(snippet), str(last_from), float(latest))


def _safe(text: str) -> str:
    """``text`` storable as SQLite TEXT: a lone surrogate (a hostile server's) becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
    return text


def _safe_opt(text: str | None) -> str | None:
    return None if text is None else _safe(text)


def _dumps(value: Any) -> str:
    # ensure_ascii: a lone surrogate from a hostile server must not make the write raise.
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


class InboxDatabase:
    """The store file (or an in-memory stand-in); see the module docstring."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None, warning: str | None = None) -> None:
        self._db = connection
        self.path = path
        #: Whose inbox the file holds (``unread`` is kept for them); set by the owner.
        self.user_id: str | None = None
        #: One line for the user, set at most once: why the file was rebuilt or is not used.
        self.warning = warning
        #: Why writes are skipped (disk full, read-only), or None while the file works.
        self.degraded: str | None = None
        #: One connection is shared by the event loop and ``asyncio.to_thread`` workers;
        #: sqlite3 leaves serialising its use to the caller.
        self._lock = threading.RLock()

    # -- opening -------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None) -> InboxDatabase:
        """Open or create the file; ``None`` (``cache = false``) keeps everything in memory.

        Never raises for a bad file: it is moved aside and rebuilt; if even that fails
        (read-only folder, disk full), an in-memory database stands in, with a warning.
        """
        if path is None:
            return cls._in_memory()
        try:
            _prepare_folder(path.parent)
            connection = cls._connect(str(path))
            _restrict(path)
            try:
                cls._check(connection)
            except _Unusable as exc:
                connection.close()
                aside = _move_aside(path, exc.why)
                connection = cls._connect(str(path))
                _restrict(path)
                cls._check(connection)
                database = cls(connection, path, f"the local inbox {exc.why}; moved to {aside}, rebuilding")
                log.warning("store: %s", database.warning)
                return database
            return cls(connection, path)
        except (OSError, sqlite3.Error, _Unusable) as exc:
            reason = _reason(exc)
            log.warning("store: cannot use %s (%s); keeping the inbox in memory", path, reason)
            return cls._in_memory(f"nothing is saved: cannot use the local inbox ({reason})")

    @classmethod
    def _in_memory(cls, warning: str | None = None) -> InboxDatabase:
        connection = cls._connect(":memory:")
        cls._check(connection)
        return cls(connection, None, warning)

    @staticmethod
    def _connect(target: str) -> sqlite3.Connection:
        # isolation_level=None: transactions are explicit (``_transaction``), so a read
        # never holds a lock another instance waits for. check_same_thread=False: the
        # warm start reads in a worker thread; every use is serialised by the caller.
        connection = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return connection

    @staticmethod
    def _check(connection: sqlite3.Connection) -> None:
        """Make sure the file is ours and of this schema; create it if it is empty.

        The three facts are read in one read transaction: read one by one, a second
        instance creating the file in between showed tables without our application id,
        and the new file was moved aside as foreign. Creation takes the write lock up
        front (``BEGIN IMMEDIATE``), so two instances creating it at once wait for each
        other (the schema is ``IF NOT EXISTS``: the second one changes nothing).
        """
        try:
            connection.execute("BEGIN")
            try:
                app_id = connection.execute("PRAGMA application_id").fetchone()[0]
                version = connection.execute("PRAGMA user_version").fetchone()[0]
                tables = {
                    row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
                }
            finally:
                connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise _Unusable("was not a readable database") from exc
        if not tables and app_id == 0:
            _use_wal(connection)
            connection.executescript(
                f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA application_id = {APPLICATION_ID}; "
                f"PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            )
            return
        if app_id != APPLICATION_ID:
            raise _Unusable("was not a lemlist-inbox database")
        if version < SCHEMA_VERSION and all(v in _MIGRATIONS for v in range(version, SCHEMA_VERSION)):
            _use_wal(connection)
            _migrate(connection)
            tables = {
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            version = SCHEMA_VERSION
        if version != SCHEMA_VERSION:
            raise _Unusable(f"had schema {version} (this version uses {SCHEMA_VERSION})")
        if not set(_TABLES) <= tables:
            raise _Unusable("was missing tables")
        _use_wal(connection)

    def verify(self) -> bool:
        """Check every page (``PRAGMA quick_check``); a damaged file is moved aside and rebuilt.

        Not done when opening: it reads the whole file (about 50 ms per 10,000
        conversations), which a warm start cannot afford before its first frame. Run it
        in a worker once the rows are on screen; False means the file was rebuilt (empty)
        and ``warning`` says so, while the rows already in memory stay where they are.
        """
        if self.path is None:
            return True
        try:
            with self._lock:
                result = self._db.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError:
            result = "unreadable"
        if result == "ok":
            return True
        with self._lock:
            self.close()
            try:
                aside = _move_aside(self.path, "was corrupt")
                self._db = self._connect(str(self.path))
                _restrict(self.path)
                self._check(self._db)
            except (OSError, sqlite3.Error, _Unusable) as exc:
                self._db = self._connect(":memory:")
                self._check(self._db)
                self.degraded = _reason(exc)
                self.warning = (
                    f"working in memory: the local inbox was corrupt and cannot be rebuilt ({self.degraded})"
                )
                return False
        self.warning = f"the local inbox was corrupt; moved to {aside}, rebuilding"
        log.warning("store: %s", self.warning)
        return False

    def close(self) -> None:
        # Under the lock: closing a connection while a worker thread runs a statement on
        # it can crash the process (seen at app shutdown, with a thread save in flight).
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db.close()

    # -- writing -------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front: with WAL a second instance
        # then waits (busy timeout) instead of failing half-way through a transaction.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def write(self, what: str, action: Callable[[sqlite3.Connection], T]) -> T | None:
        """Run one write transaction; a failure degrades the database instead of raising."""
        if self.degraded is not None:
            return None
        try:
            with self._lock, self._transaction() as db:
                return action(db)
        except sqlite3.Error as exc:
            self.degraded = _reason(exc)
            self.warning = f"working in memory: cannot save to the local inbox ({self.degraded})"
            log.warning("store: %s failed: %s; further writes are skipped", what, self.degraded)
            return None

    def read(self, action: Callable[[sqlite3.Connection], T], default: T) -> T:
        try:
            with self._lock:
                return action(self._db)
        except sqlite3.Error as exc:
            log.warning("store: read failed: %s", _reason(exc))
            return default

    # -- conversations -------------------------------------------------------------

    def save_conversations(self, rows: Iterable[StoredConversation]) -> None:
        """Insert or replace conversations (by id)."""
        values = []
        raws = []
        for row in rows:
            ident = _safe(row.id)
            values.append(
                (
                    ident,
                    _safe_opt(row.contact_id),
                    _listing(row),
                    _safe_opt(row.last_activity_at),
                    row.activity,
                    None if row.have_replies is None else int(row.have_replies),
                    int(not is_read_by(row.users, self.user_id)),
                )
            )
            raws.append((ident, _safe(row.raw)))
        if not values:
            return

        def save(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO conversations VALUES (?,?,?,?,?,?,?)", values)
            db.executemany("INSERT OR REPLACE INTO raw_items VALUES (?,?)", raws)

        self.write("save conversations", save)

    def delete_conversations(self, ids: Iterable[str]) -> None:
        """Forget conversations the server no longer lists (and their threads)."""
        values = [(_safe(ident),) for ident in ids]
        if not values:
            return

        def delete(db: sqlite3.Connection) -> None:
            contact_of = "SELECT contact_id FROM conversations WHERE id = ?"
            for table in ("threads", "summaries", "message_text"):
                db.executemany(f"DELETE FROM {table} WHERE contact_id IN ({contact_of})", values)
            db.executemany("DELETE FROM conversations WHERE id = ?", values)
            db.executemany("DELETE FROM raw_items WHERE id = ?", values)

        self.write("delete conversations", delete)

    def set_read(self, conversation_id: str, user_id: str) -> None:
        """A read mark landed: the stored row (list columns and raw item) says so too.

        Without this the row would read unread again after a restart until a page
        listing it is fetched, which for a conversation below the first page an
        incremental sync never does (only the next reconcile would).
        """
        ident, user = _safe(conversation_id), _safe(user_id)

        def update(db: sqlite3.Connection) -> None:
            row = db.execute("SELECT listing FROM conversations WHERE id = ?", (ident,)).fetchone()
            if row is None:
                return
            try:
                contact, users, channels = json.loads(row[0])
                users = [[u, s, True] if u == user else [u, s, r] for u, s, r in users]
            except (ValueError, TypeError):
                return
            states = tuple((u, s, r) for u, s, r in users)
            db.execute(
                "UPDATE conversations SET listing = ?, unread = ? WHERE id = ?",
                (_dumps([contact, users, channels]), int(not is_read_by(states, self.user_id)), ident),
            )
            raw = db.execute("SELECT raw FROM raw_items WHERE id = ?", (ident,)).fetchone()
            if raw is None:
                return
            try:
                item = json.loads(raw[0])
            except ValueError:
                return
            for entry in item.get("users") or () if isinstance(item, dict) else ():
                if isinstance(entry, dict) and entry.get("userId") == user:
                    entry["read"] = True
            db.execute("UPDATE raw_items SET raw = ? WHERE id = ?", (_dumps(item), ident))

        self.write("set read", update)

    def conversations(self, limit: int | None = None, offset: int = 0) -> list[StoredConversation]:
        """Rows newest activity first; ``limit`` for the first screenful of a warm start,
        ``limit`` and ``offset`` for the rest in chunks (``LocalInbox.chunks``).

        Without the raw items (``raw`` is empty): the list never needs them, and they are
        most of the bytes (``raw_conversation`` reads one).
        """
        sql = (
            "SELECT c.id, c.contact_id, c.listing, c.last_activity_at, c.activity, c.have_replies,"
            " s.subject, s.snippet, s.last_from, s.latest"
            " FROM conversations AS c LEFT JOIN summaries AS s ON s.contact_id = c.contact_id"
            " ORDER BY c.activity DESC, c.id"
        )
        if limit is not None or offset:
            sql += f" LIMIT {-1 if limit is None else int(limit)} OFFSET {max(0, int(offset))}"
        return self.read(lambda db: _rows(db.execute(sql)), [])

    def counts(self) -> tuple[int, int]:
        """(conversations, unread for ``user_id``) without reading the rows."""
        row = self.read(
            lambda db: db.execute("SELECT COUNT(*), COALESCE(SUM(unread), 0) FROM conversations").fetchone(),
            (0, 0),
        )
        return int(row[0]), int(row[1])

    def conversation_for_contact(self, contact_id: str) -> StoredConversation | None:
        """The newest stored conversation of a contact: ``show`` compares a stored thread
        with its last activity (without ``raw``, like ``conversations``)."""
        sql = (
            "SELECT id, contact_id, listing, last_activity_at, activity, have_replies"
            " FROM conversations WHERE contact_id = ? ORDER BY activity DESC LIMIT 1"
        )
        none: list[StoredConversation] = []
        rows = self.read(lambda db: _rows(db.execute(sql, (_safe(contact_id),))), none)
        return rows[0] if rows else None

    def raw_conversations(self) -> dict[str, str]:
        """Every stored item's JSON text as kept, by id (``list --json`` from the store)."""
        return self.read(lambda db: dict(db.execute("SELECT id, raw FROM raw_items").fetchall()), {})

    def conversation_ids(self) -> set[str]:
        return self.read(lambda db: {row[0] for row in db.execute("SELECT id FROM conversations")}, set())

    def raw_conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """The item exactly as the API sent it (for ``--json`` output)."""
        row = self.read(
            lambda db: db.execute(
                "SELECT raw FROM raw_items WHERE id = ?", (_safe(conversation_id),)
            ).fetchone(),
            None,
        )
        if row is None:
            return None
        value = json.loads(row[0])
        return value if isinstance(value, dict) else None

    # -- threads ---------------------------------------------------------------------

    def save_thread(self, contact_id: str, messages: Sequence[dict[str, Any]], *, activity: float) -> None:
        """Keep a fetched thread; ``activity`` is the conversation's last activity then."""
        payload = _dumps(list(messages))
        self.write(
            "save thread",
            lambda db: db.execute(
                "INSERT OR REPLACE INTO threads VALUES (?,?,?,?)",
                (_safe(contact_id), activity, time.time(), payload),
            ),
        )

    def thread(self, contact_id: str) -> StoredThread | None:
        row = self.read(
            lambda db: db.execute(
                "SELECT contact_id, activity, fetched_at, messages FROM threads WHERE contact_id = ?",
                (_safe(contact_id),),
            ).fetchone(),
            None,
        )
        if row is None:
            return None
        try:
            messages = json.loads(row[3])
        except ValueError:
            return None
        if not isinstance(messages, list):
            return None
        return StoredThread(
            row[0], float(row[1]), float(row[2]), [m for m in messages if isinstance(m, dict)]
        )

    def thread_ids(self) -> set[str]:
        return self.read(lambda db: {row[0] for row in db.execute("SELECT contact_id FROM threads")}, set())

    def thread_states(self) -> dict[str, tuple[float, bool]]:
        """Every stored thread: (the activity it was fetched at, whether it has a summary).

        One query for the prefetch to skip what is fresh, and to summarize stored threads
        that have none (kept before summaries existed) without a request.
        """
        sql = (
            "SELECT t.contact_id, t.activity, s.contact_id IS NOT NULL"
            " FROM threads AS t LEFT JOIN summaries AS s ON s.contact_id = t.contact_id"
        )
        none: dict[str, tuple[float, bool]] = {}
        return self.read(lambda db: {row[0]: (float(row[1]), bool(row[2])) for row in db.execute(sql)}, none)

    def thread_activity(self, contact_id: str) -> float | None:
        """The activity a stored thread was fetched at, or None if it is not stored."""
        row = self.read(
            lambda db: db.execute(
                "SELECT activity FROM threads WHERE contact_id = ?", (_safe(contact_id),)
            ).fetchone(),
            None,
        )
        return None if row is None else float(row[0])

    def save_summary(self, contact_id: str, summary: ThreadSummary) -> None:
        """Keep what the list shows of a stored thread (replacing the last one)."""
        values = (
            _safe(contact_id),
            _safe(summary.subject),
            _safe(summary.snippet),
            _safe(summary.last_from),
            summary.latest,
        )
        self.write(
            "save summary",
            lambda db: db.execute("INSERT OR REPLACE INTO summaries VALUES (?,?,?,?,?)", values),
        )

    def summary(self, contact_id: str) -> ThreadSummary | None:
        row = self.read(
            lambda db: db.execute(
                "SELECT subject, snippet, last_from, latest FROM summaries WHERE contact_id = ?",
                (_safe(contact_id),),
            ).fetchone(),
            None,
        )
        return None if row is None else _summary(row)

    # -- read marks owed to the server ---------------------------------------------------

    def add_pending_mark(self, conversation_id: str, contact_id: str, user_id: str) -> None:
        self.write(
            "add pending mark",
            lambda db: db.execute(
                "INSERT OR IGNORE INTO pending_marks (conversation_id, contact_id, user_id, created_at)"
                " VALUES (?,?,?,?)",
                (_safe(conversation_id), _safe(contact_id), _safe(user_id), time.time()),
            ),
        )

    def note_mark_failure(self, conversation_id: str, user_id: str, error: str) -> None:
        self.write(
            "note mark failure",
            lambda db: db.execute(
                "UPDATE pending_marks SET attempts = attempts + 1, last_error = ?"
                " WHERE conversation_id = ? AND user_id = ?",
                (_safe(error), _safe(conversation_id), _safe(user_id)),
            ),
        )

    def remove_pending_mark(self, conversation_id: str, user_id: str) -> None:
        self.write(
            "remove pending mark",
            lambda db: db.execute(
                "DELETE FROM pending_marks WHERE conversation_id = ? AND user_id = ?",
                (_safe(conversation_id), _safe(user_id)),
            ),
        )

    def claim_mark(
        self, conversation_id: str, user_id: str, owner: str, alive: Callable[[str], bool]
    ) -> bool:
        """Take the sending of an owed mark for ``owner`` (one running instance); False
        if another live one holds it: two instances on one file must not both send it.

        Kept in ``state`` (no schema change); the claim of an instance that is gone
        (``alive`` says no) is taken over. A database that cannot be written claims
        nothing and says yes: this instance is then the only one that knows of the mark.
        """
        key = _claim_key(conversation_id, user_id)

        def claim(db: sqlite3.Connection) -> bool:
            row = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
            if row is not None and row[0] != owner and alive(str(row[0])):
                return False
            db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, _safe(owner)))
            return True

        result = self.write("claim mark", claim)
        return True if result is None else result

    def release_mark(self, conversation_id: str, user_id: str) -> None:
        key = _claim_key(conversation_id, user_id)
        self.write("release mark", lambda db: db.execute("DELETE FROM state WHERE key = ?", (key,)))

    def pending_marks(self) -> list[PendingMarkRow]:
        return self.read(
            lambda db: [
                PendingMarkRow(*row)
                for row in db.execute(
                    "SELECT conversation_id, contact_id, user_id, created_at, attempts, last_error"
                    " FROM pending_marks ORDER BY created_at"
                )
            ],
            [],
        )

    # -- sync state --------------------------------------------------------------------

    def get_state(self, key: str) -> str | None:
        row = self.read(
            lambda db: db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone(), None
        )
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        self.write(
            "set state",
            lambda db: db.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (key, _safe(value))),
        )

    def get_time(self, key: str) -> float | None:
        value = self.get_state(key)
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    # -- the whole file ------------------------------------------------------------------

    def clear(self) -> None:
        """``cache clear``: forget everything but what is still owed (read marks, the outbox)."""

        def wipe(db: sqlite3.Connection) -> None:
            for table in ("conversations", "raw_items", "threads", "summaries", "state", "message_text"):
                db.execute(f"DELETE FROM {table}")

        self.write("clear", wipe)
        self.read(lambda db: db.execute("VACUUM"), None)

    def info(self) -> DatabaseInfo:
        def count(table: str) -> int:
            return int(self.read(lambda db: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0], 0))

        size = 0
        if self.path is not None:
            for suffix in ("", "-wal"):
                with contextlib.suppress(OSError):
                    size += os.stat(f"{self.path}{suffix}").st_size
        return DatabaseInfo(
            path=self.path,
            size_bytes=size,
            conversations=count("conversations"),
            threads=count("threads"),
            pending_marks=count("pending_marks"),
            outbox=count("outbox"),
            last_sync=self.get_time("last_sync"),
            last_reconcile=self.get_time("last_reconcile"),
            degraded=self.degraded,
        )


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring an older file to ``SCHEMA_VERSION`` in one write transaction.

    The version is read again under the write lock: another instance opening the same
    file at the same moment may have migrated it already (then nothing is run twice).
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        current = int(connection.execute("PRAGMA user_version").fetchone()[0])
        while current < SCHEMA_VERSION:
            for statement in _MIGRATIONS[current]:
                connection.execute(statement)
            current += 1
            log.info("store: migrated the local inbox to schema %d", current)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise


def _claim_key(conversation_id: str, user_id: str) -> str:
    return f"claim\n{_safe(user_id)}\n{_safe(conversation_id)}"


class _Unusable(Exception):
    """The file is not a database of ours of this schema; ``why`` completes "the local inbox …"."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _use_wal(connection: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode = WAL``, waiting out another instance that holds the lock.

    SQLite does not always call the busy handler for a journal-mode change (it needs an
    exclusive lock, and may answer "locked" at once to avoid a deadlock), so two
    instances opening a new file together made one fall back to memory. Retried here
    for as long as the busy timeout would have waited.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if ("locked" not in text and "busy" not in text) or time.monotonic() >= deadline:
                raise
            time.sleep(0.005)


def _prepare_folder(folder: Path) -> None:
    """Create the data folder 0700: it holds conversations and what the user owes."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)


def _restrict(path: Path) -> None:
    """The file and its WAL companions are the user's alone (0600)."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{path}{suffix}", 0o600)


def _move_aside(path: Path, why: str) -> Path:
    """Keep a bad file for a bug report instead of deleting what may be the user's data."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.bad-{stamp}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    log.warning("store: %s %s; moved to %s", path, why, aside)
    return aside


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    if isinstance(exc, _Unusable):
        return exc.why
    return str(exc) or type(exc).__name__
