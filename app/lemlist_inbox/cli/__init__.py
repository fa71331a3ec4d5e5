"""Command line: the TUI by default, plus ``list``, ``show``, ``sync``, ``cache``, ``reply``,
``drafts``, ``outbox``, ``users`` and ``demo-server``.

The non-interactive commands call the same ``api`` and ``render`` code as the TUI, so they
double as an end-to-end check of the data layer and as a scripting interface. Every failure
becomes one message on stderr and exit code 1 (2 for usage and configuration); Ctrl+C is
exit 130 and keeps what was printed; a reader that leaves (``| head``) ends us quietly
with 0. Never a traceback. Every server string printed is cleaned first (``output``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import gc
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence

from lemlist_inbox.api.errors import LemlistError
from lemlist_inbox.cli.output import Output, OutputError, silence_stdout, watch_reader
from lemlist_inbox.cli.parser import build_parser
from lemlist_inbox.cli.session import Backend, OfflineError, Session, UsageError, backend, make_client
from lemlist_inbox.config import ConfigError, Settings
from lemlist_inbox.logs import configure_logging, crash_log_path, crash_summary, write_crash_log
from lemlist_inbox.ui import charset

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


#: TERM values of terminals that cannot position the cursor (Emacs' shell, some CI logs).
DUMB_TERMS = frozenset({"dumb", "unknown", "emacs"})


def tui_refusal(
    env: Mapping[str, str] | None = None,
    *,
    stdin_tty: bool | None = None,
    stderr_tty: bool | None = None,
) -> str | None:
    """Why this terminal cannot show the full-screen reader, or None if it can.

    Decided before Textual is imported: a dumb terminal (``TERM=dumb``, or no TERM on
    POSIX) cannot draw it. Textual reads keys from stdin and draws on *stderr*, so with
    either of those not a terminal (a pipe, a file, cron) it would write escape codes
    into a file and wait for keys that never come; stdout may be redirected (nothing is
    drawn there). The message points to the commands that work everywhere.
    """
    env = os.environ if env is None else env
    if stdin_tty is None:
        stdin_tty = sys.stdin is not None and sys.stdin.isatty()
    if stderr_tty is None:
        stderr_tty = sys.stderr is not None and sys.stderr.isatty()
    hint = "use `lemlist-inbox list` / `show` (see --help)"
    term = env.get("TERM", "")
    if os.name != "nt" and (not term or term.lower() in DUMB_TERMS):
        shown = f"TERM={term}" if term else "TERM is not set"
        return f"this terminal ({shown}) cannot show the full-screen reader; {hint}"
    if not stdin_tty or not stderr_tty:
        which = "stdin" if not stdin_tty else "stderr"
        return f"the full-screen reader needs a terminal, and {which} is not one; {hint}"
    return None


def _main(args: argparse.Namespace, out: Output) -> int:
    try:
        if args.command == "demo-server":
            return _run_demo_server(args)
        if args.command is None and (refusal := tui_refusal()) is not None:
            out.error(refusal)
            return EXIT_USAGE
        with backend(args) as run:
            settings = run.settings
            configure_logging(settings.api_key)
            charset.configure(settings.ascii)  # `show` draws the pane's marks too
            for warning in settings.warnings:
                out.warning(warning)
            if args.command is None:
                return _run_tui(settings, demo=run.demo, out=out, offline=bool(args.offline))
            return asyncio.run(_run_command(args, run, out))
    except (ConfigError, UsageError) as exc:
        out.error(str(exc))
        return EXIT_USAGE
    except (LemlistError, OfflineError) as exc:
        out.error(str(exc))
        return EXIT_ERROR


#: The TUI's client factory (a module global so tests can swap in a faster-failing client).
_client = make_client


def _run_tui(settings: Settings, *, demo: bool, out: Output | None = None, offline: bool = False) -> int:
    # What the imports make (Textual, Rich, our modules: ~100,000 objects) lives as long
    # as the process: no collection while they load, then frozen, so the full collection
    # the first frame's allocations trigger scans only what came after (figure 10 in
    # benchmarks/README.md: 25-50 ms less before the first frame).
    gc.disable()
    try:
        from lemlist_inbox.cli.local import store_options
        from lemlist_inbox.ui.app import InboxApp
    finally:
        gc.freeze()
        gc.enable()
    store = store_options(settings, demo=demo)  # cache = false: none, nothing written
    app = InboxApp(
        functools.partial(_client, settings),
        settings,
        user_id=settings.user_id,
        demo=demo,
        store=store,
        offline=offline,
    )
    try:
        result = app.run()
    except Exception as exc:  # Textual itself failed (the driver, say): the same one line
        app.crash = app.crash or exc
        result = None
    if app.crash is not None:
        _report_crash(app.crash, settings, out or Output())
        return EXIT_ERROR
    if app.kept_marks:
        (out or Output()).message(
            f"{app.kept_marks} read mark(s) not sent yet (network): kept in the local inbox, "
            "sent at the next start"
        )
    unsent = result if isinstance(result, list) else []
    if unsent:
        (out or Output()).error(
            f"{len(unsent)} conversation(s) could not be marked read (network); they stay unread on lemlist"
        )
        return EXIT_ERROR
    return EXIT_OK


def _report_crash(error: BaseException, settings: Settings, out: Output) -> None:
    """One line on stderr (the terminal is restored by now); the traceback goes to the log."""
    summary = crash_summary(error, settings.api_key)
    try:
        path = write_crash_log(error, settings.api_key, path=crash_log_path())
    except OSError as exc:
        out.error(f"crashed ({summary}); the crash log could not be written: {exc.strerror or exc}")
        return
    out.error(f"crashed ({summary}); details in {path}")


Handler = Callable[[Session], Awaitable[int]]


def _handler(command: str) -> Handler:
    if command == "list":
        from lemlist_inbox.cli.listing import cmd_list

        return cmd_list
    if command == "show":
        from lemlist_inbox.cli.show import cmd_show

        return cmd_show
    if command == "sync":
        from lemlist_inbox.cli.sync import cmd_sync

        return cmd_sync
    if command == "cache":
        from lemlist_inbox.cli.cache import cmd_cache

        return cmd_cache
    if command in ("reply", "drafts", "outbox"):
        from lemlist_inbox.cli import reply

        handlers: dict[str, Handler] = {
            "reply": reply.cmd_reply,
            "drafts": reply.cmd_drafts,
            "outbox": reply.cmd_outbox,
        }
        return handlers[command]
    from lemlist_inbox.cli.users import cmd_users

    return cmd_users


async def _run_command(args: argparse.Namespace, run: Backend, out: Output) -> int:
    """Run one command; if the reader of our pipe leaves meanwhile, stop it at once.

    ``--offline`` builds no client at all, so no code path can send a request.
    """
    handler = _handler(args.command)
    async with contextlib.AsyncExitStack() as stack:
        client = None if args.offline else await stack.enter_async_context(make_client(run.settings))
        session = Session(args, run.settings, client, out, run.demo, run.demo_user)
        task = asyncio.ensure_future(handler(session))
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
