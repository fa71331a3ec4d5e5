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


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
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
    parser.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="read the local inbox only: no request at all (the TUI, list, show, cache)",
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

    sync = commands.add_parser(
        "sync",
        help="bring the local inbox up to date (for offline reading, or a fast next start)",
        description="Fetches what changed since the last sync (every page on an empty local "
        "inbox) and, every reconcile_interval, walks all pages for read states changed "
        "elsewhere. Progress on a terminal's stderr, one summary line on stderr at the end.",
    )
    _common_options(sync, suppress=True)
    sync.add_argument(
        "--threads",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="also store the newest N threads for offline reading (never marks them read)",
    )
    sync.add_argument("--full", action="store_true", help="walk every page now (read states, deletions)")

    cache = commands.add_parser("cache", help="the local inbox: what it holds (info), forget it (clear)")
    _common_options(cache, suppress=True)
    cache_commands = cache.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    info = cache_commands.add_parser(
        "info", help="path, size, counts, pending read marks, last sync, schema version"
    )
    _common_options(info, suppress=True)
    info.add_argument("--json", action="store_true", help="the same as one JSON object")
    clear = cache_commands.add_parser(
        "clear",
        help="forget the stored conversations and threads (read marks and replies still owed are kept)",
    )
    _common_options(clear, suppress=True)

    reply = commands.add_parser(
        "reply",
        help="reply to a conversation (email, LinkedIn or WhatsApp), or save a draft",
        description="Replies to CONTACT_ID on the channel of its latest message (email: to the latest "
        "email, from the mailbox that last wrote to the contact). The text comes from --message-file "
        "(- for stdin), else the editor opens. Prints what will be sent and asks; without a terminal "
        "to ask on, --yes is required. The reply is kept in the outbox until lemlist confirms it.",
    )
    _common_options(reply, suppress=True)
    reply.add_argument("contact_id", metavar="CONTACT_ID")
    reply.add_argument(
        "--channel", choices=("email", "linkedin", "whatsapp"), help="default: the latest message's"
    )
    reply.add_argument("--message-file", metavar="FILE", help="the reply's text (plain text; - reads stdin)")
    reply.add_argument("--subject", help="email only; default: the thread's (Re: ...)")
    reply.add_argument(
        "--cc",
        action="append",
        metavar="ADDRESS",
        help="email only, repeatable or comma-separated; default: the thread's Cc (--cc '' sends none)",
    )
    reply.add_argument("--draft", action="store_true", help="save as a lemlist draft instead of sending")
    reply.add_argument(
        "--draft-id",
        metavar="DRAFT_ID",
        help="continue this draft: with --draft update it, else send "
        "it (its text unless --message-file is given) and delete it once sent",
    )
    reply.add_argument("--yes", action="store_true", help="send without asking (required without a terminal)")

    drafts = commands.add_parser("drafts", help="list your lemlist drafts for a conversation")
    _common_options(drafts, suppress=True)
    drafts.add_argument("contact_id", metavar="CONTACT_ID")
    draft_actions = drafts.add_mutually_exclusive_group()
    draft_actions.add_argument("--json", action="store_true", help="the drafts as JSON, as lemlist gave them")
    draft_actions.add_argument(
        "--show", metavar="DRAFT_ID", help="print one draft's text (as it would be sent)"
    )
    draft_actions.add_argument(
        "--delete", metavar="DRAFT_ID", help="delete one draft (its text is printed first)"
    )

    outbox = commands.add_parser(
        "outbox",
        help="replies not confirmed by lemlist yet: list them, send them again (--send)",
        description="Lists the replies kept in the local inbox's outbox. --send sends them again; one "
        "whose send had no answer is first looked for in the thread, and sent again only with --yes "
        "or a yes typed on the terminal.",
    )
    _common_options(outbox, suppress=True)
    outbox_actions = outbox.add_mutually_exclusive_group()
    outbox_actions.add_argument("--json", action="store_true", help="the entries as JSON (text and payload)")
    outbox_actions.add_argument("--send", action="store_true", help="send what waits (see above)")
    outbox_actions.add_argument("--discard", metavar="ID", help="drop one entry (its text is printed first)")
    outbox.add_argument(
        "--yes", action="store_true", help="with --send: resend a maybe-sent reply not in the thread"
    )

    users = commands.add_parser("users", help="list the team's users (to pick a --user-id)")
    _common_options(users, suppress=True)

    server = commands.add_parser("demo-server", help="serve the local API stand-in until Ctrl-C")
    server.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: random)")
    server.add_argument("--conversations", type=_positive_int, default=300)
    server.add_argument("--seed", type=int, default=7)
    server.add_argument("--latency", type=float, default=0.0, help="seconds added to each response")
    return parser
