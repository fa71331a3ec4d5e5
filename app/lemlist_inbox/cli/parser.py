"""The command line's grammar: commands, options and their checks (a bad value is exit 2)."""

from __future__ import annotations

import argparse
from typing import Any

from lemlist_inbox import __version__
from lemlist_inbox.base_url import BaseUrlError, check_base_url


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is from 0 (any free one) to 65535")
    return value


def _base_url(text: str) -> str:
    try:
        return check_base_url(text)
    except BaseUrlError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before and after the command name.

    Sub-parsers use SUPPRESS defaults so a value given before the command is not
    overwritten by the sub-parser's default.
    """
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--base-url", type=_base_url, default=default, help="API base URL (env LEMLIST_BASE_URL)"
    )
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
    if not any("--offline" in action.option_strings for action in parser._actions):
        parser.add_argument("--offline", action="store_true", help="send nothing: read the local inbox only")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser(
        "list",
        help="print every conversation as the pages arrive, newest activity first",
        description="One line a conversation, printed as the pages arrive: unread mark (* or space), "
        "last activity, contact name, email, channels, contact id. Tab-separated when "
        "stdout is not a terminal, aligned columns on a terminal.",
    )
    _common_options(listing, suppress=True)
    formats = listing.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="one JSON array, as the API gave the items")
    formats.add_argument("--jsonl", action="store_true", help="JSON Lines: one item a line, as pages arrive")
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
    server.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: random)")
    server.add_argument("--conversations", type=_positive_int, default=300)
    server.add_argument("--seed", type=int, default=7)
    server.add_argument("--latency", type=float, default=0.0, help="seconds added to each response")
    return parser
