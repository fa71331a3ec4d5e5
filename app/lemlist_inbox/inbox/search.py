"""Full-text search over every stored message (SQLite FTS5), newest first, with context.

What is indexed is what the reader sees: the subject, the body as rendered text (not the
HTML: no markup, styles or tracking URLs match), the sender's name and address. A thread
is indexed when it is stored, and re-indexed whole when it is stored again.

Queries are the user's words, never FTS5 syntax: ``fts_query`` turns them into a safe
expression (every term quoted), so no input reaches SQLite as an operator and a malformed
query is a ``SearchError`` with a sentence for the status line, never an SQLite error.
Supported: plain words (all must match), ``"a phrase"``, ``prefix*``, ``-word`` (must not
match) and ``OR`` between two terms.

Snippets carry the matched words between ``HIT_START`` and ``HIT_END`` (control
characters the sanitized text can never hold), so the UI can style them without parsing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lemlist_inbox.inbox.db import InboxDatabase
    from lemlist_inbox.render.message import RenderedMessage

__all__ = ["HIT_END", "HIT_START", "SearchError", "SearchHit", "SearchIndex", "fts_query", "split_hits"]

HIT_START = "\x02"
HIT_END = "\x03"
#: Words of context around a match in a snippet.
SNIPPET_WORDS = 12
#: Query terms at most: a pasted paragraph is not a query.
MAX_TERMS = 32

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+", re.UNICODE)


class SearchError(ValueError):
    """The query cannot be searched; the message says why, for the status line."""


@dataclass(frozen=True)
class SearchHit:
    """One matching message: where it is, and the words around the match."""

    contact_id: str
    message_id: str
    created: float
    subject: str
    sender: str
    #: Sanitized context with ``HIT_START``/``HIT_END`` around each matched word.
    snippet: str


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _term(text: str, *, prefix: bool) -> str | None:
    """One word (or phrase) as a quoted FTS5 string; None when it holds no word at all."""
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = _quote(" ".join(words))
    return quoted + "*" if prefix else quoted


def fts_query(text: str) -> str:
    """The user's query as a safe FTS5 expression (see the module docstring)."""
    if text.count('"') % 2:
        raise SearchError('unbalanced quote: close the phrase with "')
    parts: list[str] = []
    pending_or = False
    positives = 0
    for match in _TOKEN.finditer(text.strip()):
        negate, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare == "OR":
            if not parts or pending_or:
                raise SearchError("OR needs a word on each side")
            pending_or = True
            continue
        if phrase is not None:
            term = _term(phrase, prefix=False)
        else:
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            word = bare[1:] if negate else bare
            term = _term(word.rstrip("*"), prefix=word.endswith("*") and len(word.rstrip("*")) > 0)
        if term is None:
            continue
        if negate:
            if pending_or:
                raise SearchError("OR cannot join an excluded word")
            parts.append(f"NOT {term}")
            continue
        positives += 1
        if pending_or:
            parts[-1] = f"({parts[-1]} OR {term})"
            pending_or = False
        else:
            parts.append(term)
        if len(parts) > MAX_TERMS:
            raise SearchError(f"too many words: at most {MAX_TERMS}")
    if pending_or:
        raise SearchError("OR needs a word on each side")
    if not positives:
        raise SearchError("type at least one word to search for")
    # FTS5 wants NOT after something to subtract from: "a NOT b" (AND is implicit).
    positive = [p for p in parts if not p.startswith("NOT ")]
    negative = [p for p in parts if p.startswith("NOT ")]
    return " ".join(positive + negative)


def split_hits(snippet: str) -> list[tuple[str, bool]]:
    """A snippet as (text, is_match) runs, for styling the matched words."""
    runs: list[tuple[str, bool]] = []
    inside = False
    for piece in re.split(f"([{HIT_START}{HIT_END}])", snippet):
        if piece == HIT_START:
            inside = True
        elif piece == HIT_END:
            inside = False
        elif piece:
            runs.append((piece, inside))
    return runs


def _clean(text: str) -> str:
    # Rendered text is sanitized already; the markers must still never occur in it.
    return text.replace(HIT_START, "").replace(HIT_END, "")


class SearchIndex:
    """The ``message_text`` table of one local inbox."""

    def __init__(self, db: InboxDatabase) -> None:
        self._db = db

    def index_thread(self, contact_id: str, messages: Iterable[RenderedMessage]) -> None:
        """(Re)index one thread's rendered messages; run in a worker (it is a write)."""
        rows = [
            (
                _clean(m.subject),
                _clean("\n\n".join(part for part in (m.body.text, m.body.quoted or "") if part)),
                _clean(m.sender),
                _clean(m.sender_address),
                contact_id,
                m.message_id,
                m.when.timestamp() if m.when is not None else 0.0,
            )
            for m in messages
        ]

        def write(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM message_text WHERE contact_id = ?", (contact_id,))
            db.executemany("INSERT INTO message_text VALUES (?,?,?,?,?,?,?)", rows)

        self._db.write("index thread", write)

    def search(self, text: str, *, limit: int = 200) -> list[SearchHit]:
        """Messages matching ``text``, newest first (``SearchError`` for a bad query)."""
        expression = fts_query(text)
        sql = (
            "SELECT contact_id, message_id, created, subject, sender,"
            f" snippet(message_text, -1, '{HIT_START}', '{HIT_END}', '…', {SNIPPET_WORDS})"
            " FROM message_text WHERE message_text MATCH ? ORDER BY created DESC LIMIT ?"
        )
        failure: list[str] = []

        def query(db: sqlite3.Connection) -> list[SearchHit]:
            try:
                rows = db.execute(sql, (expression, int(limit))).fetchall()
            except sqlite3.OperationalError as exc:  # should not happen: every term is quoted
                failure.append(str(exc))
                return []
            return [
                SearchHit(str(a), str(b), float(c or 0.0), str(d), str(e), str(f))
                for a, b, c, d, e, f in rows
            ]

        none: list[SearchHit] = []
        hits = self._db.read(query, none)
        if failure:
            raise SearchError(f"cannot search for that: {failure[0]}")
        return hits

    def indexed_threads(self) -> int:
        return int(
            self._db.read(
                lambda db: db.execute("SELECT COUNT(DISTINCT contact_id) FROM message_text").fetchone()[0], 0
            )
        )
