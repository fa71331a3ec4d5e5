"""Running the user's editor on a reply: which one, and on which file.

Which: ``$VISUAL``, then ``$EDITOR``, then the config's ``editor``, then ``vi`` (what git,
aerc and neomutt do). Each is a shell-style command line ("code --wait", "emacsclient -t"),
split with ``shlex`` and never run through a shell, with the file's path added last.

The file is made in a fresh private folder (``0700``, the file ``0600``: a reply in
progress is nobody else's business), named ``reply.txt`` so editors pick plain-text mode,
and removed afterwards. The caller owns the terminal: the TUI suspends itself around
``edit`` (``App.suspend``); the CLI calls it straight.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["EditorError", "edit", "editor_command"]

FALLBACK_EDITOR = "vi"


class EditorError(Exception):
    """The editor could not be run, or it failed; the text the user had is not lost."""


def editor_command(configured: str | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """The editor's argv: ``$VISUAL``, ``$EDITOR``, the config's ``editor``, else ``vi``."""
    env = os.environ if env is None else env
    for source, value in (
        ("VISUAL", env.get("VISUAL")),
        ("EDITOR", env.get("EDITOR")),
        ("editor", configured),
    ):
        if value and value.strip():
            try:
                argv = shlex.split(value)
            except ValueError as exc:
                raise EditorError(f"cannot read the {source} setting {value!r}: {exc}") from None
            if argv:
                return argv
    return [FALLBACK_EDITOR]


def edit(text: str, argv: Sequence[str]) -> str:
    """Open ``text`` in the editor ``argv`` and return the file as the user left it.

    ``EditorError`` when the editor is not found, cannot start, or exits with an error
    status (``:cq`` in vim): the caller keeps ``text`` and says so.
    """
    if not argv:
        raise EditorError("no editor to run")
    program = argv[0]
    if shutil.which(program) is None:
        raise EditorError(f"the editor {program!r} was not found (set $EDITOR or 'editor' in the config)")
    folder = Path(tempfile.mkdtemp(prefix="lemlist-inbox-"))
    path = folder / "reply.txt"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        try:
            status = subprocess.run([*argv, str(path)], check=False).returncode
        except OSError as exc:
            raise EditorError(f"cannot run the editor {program!r}: {exc.strerror or exc}") from None
        if status != 0:
            raise EditorError(f"the editor {program!r} exited with status {status}: nothing was changed")
        return path.read_text(encoding="utf-8", errors="replace")
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()
