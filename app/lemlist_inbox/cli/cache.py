"""``lemlist-inbox cache info|clear``: what the local inbox holds, and forgetting it.

Both work on the file of this account and viewing user (the one ``list`` and the TUI
use) and never create it. ``clear`` forgets conversations, threads and sync state but
keeps what is still owed to lemlist (read marks made offline, replies not yet sent):
those are the user's actions, and deleting them would lose them silently. To drop
everything, delete the file ``cache info`` names (after the app has sent what it owes).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from lemlist_inbox.cli.local import age_text, iso_time, store_path
from lemlist_inbox.cli.output import json_text
from lemlist_inbox.cli.session import Session, resolve_user
from lemlist_inbox.inbox.db import SCHEMA_VERSION, DatabaseInfo, InboxDatabase

EXIT_OK = 0


async def cmd_cache(session: Session) -> int:
    user_id = await resolve_user(session)
    path = store_path(session, user_id)
    if session.args.cache_command == "clear":
        return _clear(session, path)
    return _info(session, path)


def _open(session: Session, path: Path) -> InboxDatabase | None:
    """The file if it exists (never created here); a damaged one is rebuilt, said once."""
    if not path.exists():
        return None
    db = InboxDatabase.open(path)
    if db.path is None:  # could not be used at all
        if db.warning:
            session.out.warning(db.warning)
        db.close()
        return None
    if db.warning:
        session.out.warning(db.warning)
    return db


def _info(session: Session, path: Path) -> int:
    db = _open(session, path)
    info = db.info() if db is not None else DatabaseInfo(path, 0, 0, 0, 0, 0, None, None, None)
    if db is not None:
        db.close()
    exists = db is not None
    schema = SCHEMA_VERSION if exists else None  # opening checked it (else it was rebuilt)
    if session.args.json:
        value: dict[str, Any] = {
            "path": str(path),
            "exists": exists,
            "cache": session.settings.cache,
            "size_bytes": _size(path) if exists else 0,
            "conversations": info.conversations,
            "threads": info.threads,
            "pending_read_marks": info.pending_marks,
            "outbox": info.outbox,
            "last_sync": iso_time(info.last_sync),
            "last_reconcile": iso_time(info.last_reconcile),
            "schema_version": schema,
        }
        session.out.raw(json_text(value) + "\n")
        return EXIT_OK
    rows = [
        ("path", str(path) + ("" if exists else " (not created yet)")),
        ("size", _human_size(_size(path)) if exists else "-"),
        ("conversations", f"{info.conversations:,}"),
        ("threads", f"{info.threads:,}"),
        ("pending read marks", f"{info.pending_marks:,}"),
        ("outbox", f"{info.outbox:,}"),
        ("last sync", _when(info.last_sync)),
        ("last reconcile", _when(info.last_reconcile)),
        ("schema", str(schema) if schema is not None else "-"),
    ]
    if not session.settings.cache:
        rows.append(("cache", "false (config file): this file is not read or written"))
    width = max(len(name) for name, _ in rows)
    session.out.lines([f"{name:<{width}}  {value}" for name, value in rows])
    return EXIT_OK


def _when(stamp: float | None) -> str:
    iso = iso_time(stamp)
    return f"{age_text(stamp)} · {iso}" if iso else "never"


def _size(path: Path) -> int:
    """The file and its write-ahead log: what the inbox takes on disk."""
    total = 0
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            total += os.stat(f"{path}{suffix}").st_size
    return total


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f} {unit} ({size:,} bytes)"


def _clear(session: Session, path: Path) -> int:
    db = _open(session, path)
    if db is None:
        session.out.lines([f"nothing to clear: {path} does not exist"])
        return EXIT_OK
    try:
        before = db.info()
        db.clear()
        if db.degraded:
            session.out.warning(db.warning or "could not clear the local inbox")
            return 1
    finally:
        db.close()
    kept = []
    if before.pending_marks:
        kept.append(f"{before.pending_marks} pending read mark(s)")
    if before.outbox:
        kept.append(f"{before.outbox} unsent repl{'y' if before.outbox == 1 else 'ies'}")
    line = f"cleared {path}: {before.conversations:,} conversations, {before.threads:,} threads; " + (
        f"kept {' and '.join(kept)} (still owed to lemlist)" if kept else "nothing was owed to lemlist"
    )
    session.out.lines([line])
    return EXIT_OK
