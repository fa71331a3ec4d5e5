"""Command line: the TUI by default, plus ``list``, ``show``, ``users`` and ``demo-server``.

The non-interactive commands call the same ``api`` and ``render`` code as the TUI, so they
double as an end-to-end check of the data layer and as a scripting interface. Every failure
becomes one line on stderr and exit code 1 (2 for usage and configuration); no traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import sys
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from lemlist_inbox import __version__
from lemlist_inbox.api.errors import LemlistError
from lemlist_inbox.config import ConfigError, Settings, load_settings
from lemlist_inbox.logs import configure_logging
from lemlist_inbox.render import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.api.models import Conversation, TeamUser

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem the user fixes by changing how they call us (exit code 2)."""


def _common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before and after the command name.

    Sub-parsers use SUPPRESS defaults so a value given before the command is not
    overwritten by the sub-parser's default.
    """
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument("--base-url", default=default, help="API base URL (env LEMLIST_BASE_URL)")
    parser.add_argument("--user-id", default=default, help="viewing user id (env LEMLIST_USER_ID)")
    parser.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="run against a built-in local stand-in of the lemlist API (no key needed)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lemlist-inbox",
        description="Keyboard-driven terminal reader for lemlist's Inbox API. "
        "The API key comes from LEMLIST_API_KEY or the config file, never from a flag.",
    )
    parser.add_argument("--version", action="version", version=f"lemlist-inbox {__version__}")
    _common_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser("list", help="print every conversation, newest activity first")
    _common_options(listing, suppress=True)
    listing.add_argument("--json", action="store_true", help="one JSON array, as the API gave the items")
    listing.add_argument("--unread", action="store_true", help="only conversations unread for the user")
    listing.add_argument("--limit", type=_positive_int, default=None, help="stop after N conversations")

    show = commands.add_parser("show", help="print one conversation's thread as text")
    _common_options(show, suppress=True)
    show.add_argument("contact_id", metavar="CONTACT_ID")
    show.add_argument("--json", action="store_true", help="the messages as JSON, oldest first")
    show.add_argument("--mark-read", action="store_true", help="mark the conversation read for the user")
    show.add_argument("--quotes", action="store_true", help="print quoted history instead of folding it")

    users = commands.add_parser("users", help="list the team's users (to pick a --user-id)")
    _common_options(users, suppress=True)

    server = commands.add_parser("demo-server", help="serve the local API stand-in until Ctrl-C")
    server.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: random)")
    server.add_argument("--conversations", type=_positive_int, default=300)
    server.add_argument("--seed", type=int, default=7)
    server.add_argument("--latency", type=float, default=0.0, help="seconds added to each response")
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo-server":
            return _run_demo_server(args)
        with _backend(args) as (settings, demo):
            configure_logging(settings.api_key)
            for warning in settings.warnings:
                print(f"lemlist-inbox: warning: {warning}", file=sys.stderr)
            if args.command is None:
                return _run_tui(settings, demo=demo)
            return asyncio.run(_run_command(args, settings, demo=demo))
    except (ConfigError, UsageError) as exc:
        print(f"lemlist-inbox: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LemlistError as exc:
        print(f"lemlist-inbox: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the reader left: not an error for the user.
        with contextlib.suppress(OSError):
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - avoid a second EPIPE at exit
        return EXIT_OK


@contextlib.contextmanager
def _backend(args: argparse.Namespace) -> Iterator[tuple[Settings, bool]]:
    """Settings for this run; with ``--demo`` also the in-process stand-in, stopped afterwards."""
    if not args.demo:
        yield load_settings(base_url=args.base_url, user_id=args.user_id), False
        return
    from lemlist_inbox.demo import DEMO_API_KEY, DemoServer

    server = DemoServer().start()
    try:
        settings = load_settings(base_url=server.base_url, user_id=args.user_id, need_key=False)
        settings.base_url = server.base_url
        settings.api_key = DEMO_API_KEY
        # The demo team has its own users: a user id configured for the real account
        # would not be in it. Only an explicit --user-id applies.
        settings.user_id = args.user_id
        settings.config_path = None  # never write demo choices into the user's real config
        yield settings, True
    finally:
        server.stop()


def _client(settings: Settings) -> LemlistClient:
    from lemlist_inbox.api.client import LemlistClient

    assert settings.api_key is not None
    return LemlistClient(settings.api_key, base_url=settings.base_url)


def _run_tui(settings: Settings, *, demo: bool) -> int:
    from lemlist_inbox.ui.app import InboxApp

    app = InboxApp(functools.partial(_client, settings), settings, user_id=settings.user_id, demo=demo)
    result = app.run()
    unsent = result if isinstance(result, list) else []
    if unsent:
        print(
            f"lemlist-inbox: {len(unsent)} conversation(s) could not be marked read "
            "(network); they stay unread on lemlist",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return EXIT_OK


async def _run_command(args: argparse.Namespace, settings: Settings, *, demo: bool) -> int:
    handlers: dict[str, Callable[[LemlistClient, argparse.Namespace, Settings, bool], Awaitable[int]]] = {
        "list": _cmd_list,
        "show": _cmd_show,
        "users": _cmd_users,
    }
    async with _client(settings) as client:
        return await handlers[args.command](client, args, settings, demo)


async def _resolve_user(client: LemlistClient, settings: Settings, *, demo: bool) -> str:
    """The viewing user: configured, else the only team user (or the demo's first)."""
    if settings.user_id:
        return settings.user_id
    users = await client.team_users()
    if len(users) == 1 or (demo and users):
        return users[0].user_id
    listing = "; ".join(f"{u.user_id} ({sanitize_line(u.display_name)})" for u in users) or "none"
    raise UsageError(
        "this team has several users: choose whose inbox to read with --user-id or "
        f"LEMLIST_USER_ID (or user_id in the config file). Users: {listing}"
    )


async def _cmd_users(client: LemlistClient, args: argparse.Namespace, settings: Settings, demo: bool) -> int:
    users: list[TeamUser] = await client.team_users()
    for user in users:
        _write(
            f"{user.user_id}\t{sanitize_line(user.name)}\t{sanitize_line(user.email)}\t{sanitize_line(user.role)}"
        )
    return EXIT_OK


async def _cmd_list(client: LemlistClient, args: argparse.Namespace, settings: Settings, demo: bool) -> int:
    user_id = await _resolve_user(client, settings, demo=demo)
    found: dict[str, Conversation] = {}
    skipped = 0
    async for page in client.iter_conversation_pages(user_id, limit=settings.page_size):
        skipped += page.skipped
        for conversation in page.items:
            found.setdefault(conversation.id, conversation)
    rows = sorted(found.values(), key=_activity_key, reverse=True)
    if args.unread:
        rows = [c for c in rows if not c.is_read_by(user_id)]
    if args.limit is not None:
        rows = rows[: args.limit]
    if args.json:
        json.dump([c.to_api_dict() for c in rows], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for conversation in rows:
            _write(_list_line(conversation, user_id))
    if skipped:
        print(f"lemlist-inbox: skipped {skipped} malformed conversation(s)", file=sys.stderr)
    return EXIT_OK


def _activity_key(conversation: Conversation) -> str:
    moment = conversation.last_activity
    return moment.isoformat() if moment else ""


def _list_line(conversation: Conversation, user_id: str) -> str:
    contact = conversation.contact
    name = sanitize_line(contact.display_name if contact else "(unknown contact)")
    email = sanitize_line(contact.email if contact else "")
    mark = "*" if not conversation.is_read_by(user_id) else " "
    when = conversation.last_activity
    stamp = when.astimezone().strftime("%Y-%m-%d %H:%M") if when else "-"
    channels = ",".join(sanitize_line(c) for c in conversation.channels) or "-"
    return f"{mark} {stamp}  {conversation.thread_id or '-'}  {name}  <{email}>  [{channels}]"


async def _cmd_show(client: LemlistClient, args: argparse.Namespace, settings: Settings, demo: bool) -> int:
    user_id: str | None = settings.user_id
    if args.mark_read:
        user_id = await _resolve_user(client, settings, demo=demo)
    thread = await client.thread(args.contact_id, user_id=user_id, mark_as_read=args.mark_read)
    if args.json:
        json.dump([m.to_api_dict() for m in thread.messages], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from lemlist_inbox.render import render_thread, thread_as_text

        text = thread_as_text(render_thread(thread.messages), expand_quotes=args.quotes)
        _write(text.rstrip("\n"))
    if thread.skipped:
        print(f"lemlist-inbox: skipped {thread.skipped} malformed message(s)", file=sys.stderr)
    return EXIT_OK


def _write(line: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(line + "\n")


def _run_demo_server(args: argparse.Namespace) -> int:
    from lemlist_inbox.demo import Faults, serve

    serve(
        port=args.port,
        conversations=args.conversations,
        seed=args.seed,
        faults=Faults(latency=args.latency),
    )
    return EXIT_OK
