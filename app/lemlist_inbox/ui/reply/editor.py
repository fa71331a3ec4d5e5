"""The user's own editor on a private file: which command, where the file lives, running it.

Which editor: ``$VISUAL``, else ``$EDITOR``, else the config's ``editor`` setting, as the
CLI does; ``editor = "internal"`` asks for the in-app one whatever the environment says.
With none of them the in-app editor opens (a new user is never dropped into an editor
they cannot leave).
The command is split like a shell would (``"code --wait"``, ``"vim -c 'set tw=72'"``)
but never run through one: the file's path is one more argument, so no character in
it or in the text can become shell syntax.

The file (``ReplyFile``) is ``0600`` in a ``0700`` folder of its own, made with
``mkdtemp``: a reply is private, and another local user must not read it or swap it
for a link. It holds the reply's current text for the whole of one reply, across
"edit again", so a crash while reviewing leaves the words on disk; it is removed when
the reply is sent (by then in the outbox), postponed (a draft) or discarded.

Running the editor hands the terminal over (``App.suspend``) and waits for it;
``terminal_for_editor`` is the one place that does so, so the headless test harness,
which cannot suspend, can run a scripted editor in its place.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

__all__ = [
    "INTERNAL",
    "EditorResult",
    "ReplyFile",
    "editor_command",
    "run_editor",
    "terminal_for_editor",
]

#: The ``editor`` setting's value for the in-app editor.
INTERNAL = "internal"
#: The name of the file in its private folder (``.txt``: editors open it as plain text).
FILE_NAME = "reply.txt"


def editor_command(setting: str | None, env: Mapping[str, str] | None = None) -> list[str] | None:
    """The editor's argv (the file's path goes after it), or None for the in-app editor.

    The order is the CLI's (``lemlist_inbox.editor``): ``$VISUAL``, ``$EDITOR``, then the
    config's ``editor``; but ``editor = "internal"`` is a choice for the TUI and wins.
    Where the CLI falls back to ``vi``, the TUI has its own editor. A value that cannot
    be split (an unclosed quote) is treated as no editor: the in-app one opens rather
    than a half-parsed command running.
    """
    env = os.environ if env is None else env
    if setting is not None and setting.strip().lower() == INTERNAL:
        return None
    for value in (env.get("VISUAL"), env.get("EDITOR"), setting):
        if value is None or not value.strip():
            continue
        try:
            argv = shlex.split(value)
        except ValueError:
            return None
        return argv or None
    return None


class ReplyFile:
    """One reply's private file; see the module docstring. Use ``with ReplyFile() as f``."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="lemlist-reply-"))  # 0700 by mkdtemp
        self.path = self.folder / FILE_NAME

    def write(self, text: str) -> None:
        """Replace the text; the file is created ``0600`` (never readable by others, even briefly)."""
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="\n") as out:
            out.write(text)

    def read(self) -> str:
        return self.path.read_text(encoding="utf-8", errors="replace")

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> ReplyFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


@dataclass(frozen=True)
class EditorResult:
    """What running the editor gave: the text of the file, and anything worth saying."""

    text: str
    #: Why the editor could not run (not found, not executable), or None.
    error: str | None = None
    #: A non-zero exit status, said in the status (the text is still reviewed).
    status: int = 0


@contextlib.contextmanager
def terminal_for_editor(app: App[Any]) -> Iterator[None]:
    """Give the terminal to the editor for the ``with`` block (``App.suspend``).

    Raises ``textual.app.SuspendNotSupported`` where there is no terminal to give
    (headless, a web driver): the caller opens the in-app editor instead.
    """
    with app.suspend():
        yield


def run_editor(app: App[Any], argv: list[str], file: ReplyFile) -> EditorResult:
    """Run the editor on ``file`` with the terminal handed over; the file's text afterwards.

    Blocking on purpose: while the editor owns the terminal the app draws nothing and
    reads no key (what Textual's own suspend example does). ``SuspendNotSupported``
    propagates before anything runs.
    """
    with terminal_for_editor(app):
        try:
            completed = subprocess.run([*argv, str(file.path)], check=False)
        except OSError as exc:
            return EditorResult(file.read(), error=f"{argv[0]}: {exc.strerror or exc}")
    return EditorResult(file.read(), status=completed.returncode)
