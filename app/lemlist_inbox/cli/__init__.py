"""Command line: the TUI by default, plus ``list``, ``show``, ``users`` and ``demo-server``.

The non-interactive commands call the same ``api`` and ``render`` code as the TUI, so they
double as an end-to-end check of the data layer and as a scripting interface. Every failure
becomes one message on stderr and exit code 1 (2 for usage and configuration); Ctrl+C is
exit 130 and keeps what was printed; a reader that leaves (``| head``) ends us quietly
with 0. Never a traceback. Every server string printed is cleaned first (``output``).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
from collections.abc import Awaitable, Callable, Sequence

from lemlist_inbox.api.errors import LemlistError
from lemlist_inbox.cli.output import Output, OutputError, silence_stdout, watch_reader
from lemlist_inbox.cli.parser import build_parser
from lemlist_inbox.cli.session import Session, UsageError, backend, make_client
from lemlist_inbox.config import ConfigError, Settings
from lemlist_inbox.logs import configure_logging

__all__ = ["EXIT_ERROR", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "UsageError", "build_parser", "main"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
#: 128 + SIGINT, what a shell reports for a command stopped by Ctrl+C.
EXIT_INTERRUPTED = 130


class _ReaderGone(Exception):
    """The reader of our piped stdout closed its end (``| head`` has what it wanted)."""


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _entry(argv)
    finally:
        if argv is None:  # the process's own command line: it exits next
            # The interpreter's exit runs a full collection over every object the
            # imports made (pydantic's schemas, httpx, asyncio: ~40,000): 120-200 ms
            # on the benchmark box, 10-20 ms with them frozen. stdout is still flushed
            # and atexit handlers still run; what is left is the OS's to free.
            gc.freeze()


def _entry(argv: Sequence[str] | None) -> int:
    out: Output | None = None
    try:
        args = build_parser().parse_args(argv)
        out = Output()
        return _main(args, out)
    except KeyboardInterrupt:
        if out is not None:
            out.progress.done()
        return EXIT_INTERRUPTED
    except (BrokenPipeError, _ReaderGone):
        silence_stdout()
        return EXIT_OK
    except OutputError as exc:
        silence_stdout()  # what is still buffered would fail again at exit
        if out is not None:
            out.error(str(exc))
        return EXIT_ERROR


def _main(args: argparse.Namespace, out: Output) -> int:
    try:
        if args.command == "demo-server":
            return _run_demo_server(args)
        with backend(args) as (settings, demo):
            configure_logging(settings.api_key)
            for warning in settings.warnings:
                out.warning(warning)
            if args.command is None:
                return _run_tui(settings, demo=demo, out=out)
            return asyncio.run(_run_command(args, settings, out, demo=demo))
    except (ConfigError, UsageError) as exc:
        out.error(str(exc))
        return EXIT_USAGE
    except LemlistError as exc:
        out.error(str(exc))
        return EXIT_ERROR


#: The TUI's client factory (a module global so tests can swap in a faster-failing client).
_client = make_client


def _run_tui(settings: Settings, *, demo: bool, out: Output | None = None) -> int:
    from lemlist_inbox.ui.app import InboxApp

    app = InboxApp(functools.partial(_client, settings), settings, user_id=settings.user_id, demo=demo)
    result = app.run()
    unsent = result if isinstance(result, list) else []
    if unsent:
        (out or Output()).error(
            f"{len(unsent)} conversation(s) could not be marked read (network); they stay unread on lemlist"
        )
        return EXIT_ERROR
    return EXIT_OK


Handler = Callable[[Session], Awaitable[int]]


def _handler(command: str) -> Handler:
    if command == "list":
        from lemlist_inbox.cli.listing import cmd_list

        return cmd_list
    if command == "show":
        from lemlist_inbox.cli.show import cmd_show

        return cmd_show
    from lemlist_inbox.cli.users import cmd_users

    return cmd_users


async def _run_command(args: argparse.Namespace, settings: Settings, out: Output, *, demo: bool) -> int:
    """Run one command; if the reader of our pipe leaves meanwhile, stop it at once."""
    handler = _handler(args.command)
    async with make_client(settings) as client:
        task = asyncio.ensure_future(handler(Session(args, settings, client, out, demo)))
        gone = asyncio.Event()

        def reader_gone() -> None:
            gone.set()
            task.cancel()

        with watch_reader(reader_gone):
            try:
                return await task
            except asyncio.CancelledError:
                if gone.is_set():
                    raise _ReaderGone from None
                raise


def _run_demo_server(args: argparse.Namespace) -> int:
    from lemlist_inbox.demo import Faults, serve

    serve(
        port=args.port,
        conversations=args.conversations,
        seed=args.seed,
        faults=Faults(latency=args.latency),
    )
    return EXIT_OK
