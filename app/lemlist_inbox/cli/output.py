"""Writing what the commands print: safe for a terminal, prompt in a pipe, quiet when cut off.

* Every server string is cleaned by the caller (``sanitize_line``) before it gets here;
  messages on stderr are cleaned here again, line by line, since some quote the server.
* JSON is UTF-8 with letters kept readable ("Zoë", "王伟"), but every code point a
  terminal or a reader could misread is written as a ``\\uXXXX`` escape: C0 and C1
  controls, DEL, bidi controls, zero-width and other format characters, line and
  paragraph separators, and lone surrogates (which would otherwise make the write
  raise). The value a JSON parser reads back is unchanged. ``ensure_ascii=True`` would
  be as safe but would turn every accented name into escapes for the humans reading it.
* Rows are flushed a batch at a time, so ``list | head -3`` and ``list > file`` see them
  as pages arrive; a reader that goes away ends the command quietly (``watch_reader``
  notices it even while we wait for the network, not only at the next write).
* Progress goes to stderr only when stderr is a terminal (and stdout is not piped to a
  program that shares that terminal), and is cleared before rows are written, so it
  never ends up in a pipe or between two rows.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from lemlist_inbox.render.sanitize import sanitize_line

PROG = "lemlist-inbox"

# Code points escaped in JSON output: Cc (the C0 ones json escapes itself), Cf, Cs, Zl
# and Zp, as of Unicode 15 (tests/cli/test_output.py checks this against unicodedata).
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code > 0xFFFF:  # JSON spells an astral code point as its surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities (which JSON cannot hold) as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def json_text(value: Any) -> str:
    """``value`` as one line of JSON, safe to print (see the module docstring)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a server sent NaN or Infinity (Python's parser accepts them)
        text = json.dumps(_finite(value), ensure_ascii=False, allow_nan=False)
    if text.isascii():  # the usual case, checked at C speed: only DEL can be left raw
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
    return _JSON_UNSAFE.sub(_escape, text)


def json_array(items: Iterable[Any]) -> str:
    """A JSON array, one item a line: C-speed (no ``indent``), and still readable and diffable."""
    return _array(json_text(item) for item in items)


def _array(texts: Iterable[str]) -> str:
    body = ",\n".join(texts)
    return f"[\n{body}\n]\n" if body else "[]\n"


class SortedJsonArray:
    """A ``json_array`` built as items arrive and sorted at the end.

    Each item is encoded when it is added: a list load spends most of its time waiting
    for the rate limit, so encoding a page while the next ones are on the wire is
    free, where encoding 10,000 conversations after the last page took 0.5-0.6 s
    (figure 9, ``list --json``: the time after the last page's answer).
    """

    def __init__(self) -> None:
        self._rows: list[tuple[Any, str]] = []

    def add(self, key: Any, item: Any) -> None:
        self._rows.append((key, json_text(item)))

    def __len__(self) -> int:
        return len(self._rows)

    def text(self, *, reverse: bool = False) -> str:
        """The array, ordered by key (stable: equal keys keep the order they came in)."""
        self._rows.sort(key=_first, reverse=reverse)
        return _array(text for _, text in self._rows)


def _first(row: tuple[Any, str]) -> Any:
    return row[0]


class Progress:
    """One self-erasing status line on stderr, only when stderr is a terminal.

    Not when stdout is a pipe either: the program reading it (``| head``, ``| less``)
    writes to the same terminal, and our line would land in the middle of its output,
    and erasing it could erase one of its lines.
    """

    def __init__(self, stream: Any = None, *, enabled: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = _isatty(self._stream) and not stdout_is_pipe() if enabled is None else enabled
        self._text = ""

    def show(self, text: str) -> None:
        if not self.enabled:
            return
        self._text = text
        self._write(f"\r{text}\x1b[K")

    def clear(self) -> None:
        if self.enabled and self._text:
            self._write("\r\x1b[K")

    def redraw(self) -> None:
        if self.enabled and self._text:
            self._write(f"\r{self._text}\x1b[K")

    def done(self) -> None:
        self.clear()
        self._text = ""

    def _write(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._stream.write(text)
            self._stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class OutputError(Exception):
    """stdout cannot be written (disk full, I/O error): one message, exit 1, no traceback."""


@contextlib.contextmanager
def _writing() -> Any:
    try:
        yield
    except BrokenPipeError:
        raise  # the reader left: quiet, handled by ``main``
    except OSError as exc:
        raise OutputError(f"cannot write the output: {exc.strerror or exc}") from None


class Output:
    """stdout for results, stderr for messages; the one place commands write to."""

    def __init__(self) -> None:
        self.progress = Progress()
        self.stdout_is_terminal = _isatty(sys.stdout)
        # A locale that cannot encode a name must not crash a listing: show "?" instead.
        reconfigure = getattr(sys.stdout, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")

    def lines(self, lines: Sequence[str]) -> None:
        """Write and flush lines at once (one write: rows reach a pipe as a page arrives)."""
        if not lines:
            return
        self.progress.clear()
        with _writing():
            sys.stdout.write("\n".join(lines) + "\n")
            sys.stdout.flush()
        self.progress.redraw()

    def raw(self, text: str) -> None:
        """Write text that is already safe (JSON) as UTF-8, whatever the locale's encoding."""
        self.progress.clear()
        with _writing():
            sys.stdout.flush()
            buffer = getattr(sys.stdout, "buffer", None)
            if buffer is None:  # a replaced stdout (tests): it takes text
                sys.stdout.write(text)
                sys.stdout.flush()
            else:
                buffer.write(text.encode("utf-8"))
                buffer.flush()
        self.progress.redraw()

    def message(self, text: str, *, kind: str = "") -> None:
        """One message on stderr, ``lemlist-inbox: [kind: ]text``, each line cleaned."""
        self.progress.clear()
        lines = [sanitize_line(line, 2000) if line.strip() else "" for line in text.split("\n")]
        prefix = f"{PROG}: {kind}: " if kind else f"{PROG}: "
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(prefix + "\n".join(lines) + "\n")
            sys.stderr.flush()
        self.progress.redraw()

    def error(self, text: str) -> None:
        self.message(text)

    def warning(self, text: str) -> None:
        self.message(text, kind="warning")


def silence_stdout() -> None:
    """After the reader of stdout went away: point fd 1 at /dev/null so the final flush is quiet.

    This is the recipe from the Python docs ("Note on SIGPIPE"): without it, Python's
    flush at exit fails again and prints "Exception ignored ... BrokenPipeError".
    """
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def stdout_is_pipe() -> bool:
    try:
        return stat.S_ISFIFO(os.fstat(sys.stdout.fileno()).st_mode)
    except (OSError, ValueError, AttributeError):
        return False


@contextlib.contextmanager
def watch_reader(on_gone: Callable[[], None]) -> Any:
    """Call ``on_gone`` as soon as the reader of a piped stdout closes its end.

    The write end of a pipe reports an error event (EPOLLERR) when the read end is
    closed, so the event loop wakes us while we are still waiting for the network:
    ``list | head -3`` ends when ``head`` does, not when the next page arrives.
    """
    loop = asyncio.get_running_loop()
    fd = -1

    def gone() -> None:
        loop.remove_reader(fd)  # the event is level-triggered: once is enough
        on_gone()

    if stdout_is_pipe():
        with contextlib.suppress(OSError, ValueError, NotImplementedError, RuntimeError):
            fd = sys.stdout.fileno()
            loop.add_reader(fd, gone)
    try:
        yield
    finally:
        if fd >= 0:
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                loop.remove_reader(fd)
