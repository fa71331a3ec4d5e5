"""The local inbox as the commands use it: which file, opened how, and how fresh it is.

``list``, ``show`` and ``sync`` read and write the same SQLite file as the TUI (one per
account and viewing user, ``inbox.db``), so a ``sync`` in a cron job makes the next TUI
start and every ``--offline`` command current. With ``cache = false`` nothing is opened
and nothing is written: the commands fetch everything, as they did before the store.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lemlist_inbox.cli.session import OfflineError, Session
from lemlist_inbox.inbox.db import database_path
from lemlist_inbox.inbox.local import LocalInbox, StoreOptions, default_data_dir, describe_age

if TYPE_CHECKING:
    from lemlist_inbox.config import Settings

__all__ = ["local_time", "open_inbox", "say_offline", "store_options", "store_path"]


def store_options(settings: Settings, *, demo: bool) -> StoreOptions:
    """The store for this run; no data dir (nothing written) with ``cache = false``."""
    return StoreOptions(
        data_dir=default_data_dir() if settings.cache else None,
        base_url=settings.base_url,
        demo=demo,
        reconcile_interval=settings.reconcile_interval,
    )


def store_path(session: Session, user_id: str) -> Path:
    """Where this account's and user's file is, ``cache = false`` or not (``cache info``)."""
    return database_path(default_data_dir(), session.settings.base_url, user_id, demo=session.demo)


def open_inbox(session: Session, user_id: str, *, rows: bool = True) -> LocalInbox:
    """The local inbox, checked (a damaged file is rebuilt, said in one warning line).

    ``rows`` loads every stored conversation into the list (``list``, ``sync``);
    ``show`` needs only one row and one thread, so it skips that.
    """
    if session.offline and not session.settings.cache:
        raise OfflineError("--offline reads the local inbox, and cache = false keeps none")
    inbox = LocalInbox(store_options(session.settings, demo=session.demo), user_id)
    if inbox.db is not None:
        _remember_owner(inbox, session.settings.base_url)
        if rows:
            inbox.warm_start(head=0)
            inbox.load_rest()  # checks the whole file first
        elif not inbox.db.verify():
            inbox.warning = inbox.db.warning
    if inbox.warning:
        session.out.warning(inbox.warning)
    return inbox


#: ``state`` key naming whose inbox a file holds, for ``--offline`` without ``--user-id``.
STATE_OWNER = "owner"


def _remember_owner(inbox: LocalInbox, base_url: str) -> None:
    """Write the account and user into the file (once), so ``--offline`` can find it."""
    db = inbox.db
    if db is None:
        return
    owner = json.dumps({"base_url": base_url.rstrip("/"), "user_id": inbox.user_id})
    if db.get_state(STATE_OWNER) != owner:
        db.set_state(STATE_OWNER, owner)


def stored_users(settings: Settings, *, demo: bool) -> list[str]:
    """The viewing users that have a local inbox of this account (``--offline`` with no
    ``--user-id``: a one-user team never has to name its user). Read-only: no file is
    created, changed or rebuilt here."""
    folder = default_data_dir()
    base_url = settings.base_url.rstrip("/")
    users: list[str] = []
    for path in sorted(folder.glob(f"{'demo' if demo else 'inbox'}-*.sqlite3")):
        with contextlib.suppress(sqlite3.Error, ValueError, TypeError, KeyError):
            with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
                row = db.execute("SELECT value FROM state WHERE key = ?", (STATE_OWNER,)).fetchone()
            if row is None:
                continue
            owner = json.loads(row[0])
            user = owner["user_id"]
            if isinstance(user, str) and (demo or owner["base_url"] == base_url) and user not in users:
                users.append(user)
    return users


def local_time(stamp: float) -> str:
    """``2026-12-02 16:20`` in local time (UTC if the zone cannot be found)."""
    try:
        return datetime.fromtimestamp(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def iso_time(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    try:
        return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


def age_text(stamp: float | None) -> str:
    """``3 min ago (2026-12-02 16:20)``, or ``never``."""
    if stamp is None:
        return "never"
    return f"{describe_age(max(0.0, time.time() - stamp))} ({local_time(stamp)})"


def say_offline(session: Session, stamp: float | None) -> None:
    """``offline · data from 3 min ago (2026-12-02 16:20)`` on stderr."""
    session.out.message(f"offline · data from {age_text(stamp)}")
