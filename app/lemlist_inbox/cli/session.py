"""What a command runs with: the settings, the demo stand-in if asked for, the viewing user."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lemlist_inbox.cli.output import Output
from lemlist_inbox.config import Settings, load_settings
from lemlist_inbox.render.sanitize import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient


class UsageError(Exception):
    """A problem the user fixes by changing how they call us (exit code 2)."""


class OfflineError(Exception):
    """What was asked needs the network or a stored copy we do not have (exit code 1)."""


@dataclass
class Backend:
    """What ``backend`` sets up: the settings, and the demo's default user when it runs."""

    settings: Settings
    demo: bool = False
    #: The demo team's first user, known without a request (``--demo --offline``).
    demo_user: str | None = None


@dataclass
class Session:
    """One command's run: its arguments, settings, client and where it writes."""

    args: argparse.Namespace
    settings: Settings
    #: None with ``--offline``: nothing may reach the network then.
    http: LemlistClient | None
    out: Output
    demo: bool
    demo_user: str | None = None

    @property
    def offline(self) -> bool:
        return bool(getattr(self.args, "offline", False))

    @property
    def client(self) -> LemlistClient:
        """The API client; asking for it with ``--offline`` is an error, not a request."""
        if self.http is None:
            raise OfflineError(f"{self.args.command} needs the network; --offline reads only the local inbox")
        return self.http


@contextlib.contextmanager
def backend(args: argparse.Namespace) -> Iterator[Backend]:
    """Settings for this run; with ``--demo`` also the in-process stand-in, stopped afterwards.

    The demo honours ``--user-id`` and ``LEMLIST_USER_ID`` like any run (a script can
    pick the demo user without a prompt), but not the config file's ``user_id``: that
    one was chosen for the real account and is not in the demo's team. ``--offline``
    reads no key: nothing is sent, so a password manager need not be asked.
    """
    offline = bool(getattr(args, "offline", False))
    if not args.demo:
        yield Backend(load_settings(base_url=args.base_url, user_id=args.user_id, need_key=not offline))
        return
    from lemlist_inbox.demo import DEMO_API_KEY, DemoServer

    server = DemoServer()
    if not offline:
        server.start()
    try:
        settings = load_settings(base_url=server.base_url, user_id=args.user_id, need_key=False)
        settings.base_url = server.base_url
        settings.api_key = DEMO_API_KEY
        settings.user_id = args.user_id or os.environ.get("LEMLIST_USER_ID") or None
        settings.config_path = None  # never write demo choices into the user's real config
        users = server.dataset.users
        yield Backend(settings, True, str(users[0]["userId"]) if users else None)
    finally:
        server.stop()


def make_client(settings: Settings) -> LemlistClient:
    from lemlist_inbox.api.client import LemlistClient

    assert settings.api_key is not None
    return LemlistClient(settings.api_key, base_url=settings.base_url)


async def resolve_user(session: Session) -> str:
    """The viewing user: configured, else the only team user (or the demo's first)."""
    if session.settings.user_id:
        return session.settings.user_id
    if session.offline:
        from lemlist_inbox.cli.local import stored_users

        if session.demo and session.demo_user:
            return session.demo_user
        known = stored_users(session.settings, demo=session.demo)
        if len(known) == 1:
            return known[0]
        found = f" (stored: {', '.join(sanitize_line(u, 100) for u in known)})" if known else ""
        raise UsageError(
            "--offline needs to know whose local inbox to read: give --user-id or "
            f"LEMLIST_USER_ID (or user_id in the config file){found}"
        )
    users = await session.client.team_users()
    if len(users) == 1 or (session.demo and users):
        return users[0].user_id
    listing = (
        "; ".join(f"{sanitize_line(u.user_id, 100)} ({sanitize_line(u.display_name, 100)})" for u in users)
        or "none"
    )
    raise UsageError(
        "this team has several users: choose whose inbox to read with --user-id or "
        f"LEMLIST_USER_ID (or user_id in the config file). Users: {listing}"
    )
