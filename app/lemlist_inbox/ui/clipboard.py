"""Copying text (``y``): OSC 52 always, and inside tmux the tmux buffer too.

OSC 52 asks the terminal to set the system clipboard, which works over SSH. tmux drops
it by default (``set-clipboard external``), so inside tmux "copied" would often be a
lie: there the text is also handed to ``tmux load-buffer -w -`` (the tmux buffer, and
with ``-w`` tmux's own route to the outer terminal's clipboard). The notification
says which way it went.

tmux runs in a thread worker with a short timeout (a hung tmux server must not freeze
the UI), as a plain argv (never a shell) with the text on stdin, and the text is
cleaned first: it comes from the server, and a clipboard holding an escape sequence
is pasted into a shell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel

from lemlist_inbox.render.sanitize import sanitize_line

__all__ = ["TMUX_TIMEOUT", "copy_outcome", "copy_text", "tmux_load_buffer"]

#: Seconds tmux may take to take the buffer: it answers in milliseconds when alive.
TMUX_TIMEOUT = 2.0
#: How much of tmux's complaint is shown.
REASON_LIMIT = 120


def tmux_load_buffer(
    text: str, *, env: Mapping[str, str] | None = None, timeout: float = TMUX_TIMEOUT
) -> str | None:
    """Give ``text`` to tmux's buffer (and clipboard); None when it took it, else why not.

    tmux before 3.2 has no ``-w``: then the buffer alone, without it.
    """
    env = dict(os.environ if env is None else env)
    executable = shutil.which("tmux", path=env.get("PATH"))
    if executable is None:
        return "tmux not found on PATH"
    reason = ""
    for argv in ([executable, "load-buffer", "-w", "-"], [executable, "load-buffer", "-"]):
        try:
            done = subprocess.run(
                argv, input=text.encode("utf-8"), capture_output=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            return f"no answer within {timeout:g} s"
        except OSError as exc:
            return sanitize_line(exc.strerror or str(exc), REASON_LIMIT)
        if done.returncode == 0:
            return None
        stderr = done.stderr.decode("utf-8", "replace")
        first = next((line for line in stderr.splitlines() if line.strip()), "")
        reason = sanitize_line(first, REASON_LIMIT) or f"exit status {done.returncode}"
        if "-w" not in argv or not any(word in stderr for word in ("unknown flag", "usage")):
            break
    return reason


def copy_outcome(
    text: str, *, in_tmux: bool, tmux_reason: str | None, why: str = ""
) -> tuple[str, SeverityLevel]:
    """The notification (message, severity) for a copy, by which way it went; ``why`` (if
    any) says first why it was copied rather than something else (``no local display: ``)."""
    if not in_tmux:
        return f"{why}copied {text} (OSC 52: the terminal sets the clipboard)", "information"
    if tmux_reason is None:
        return f"{why}copied {text} to the tmux buffer and the clipboard (OSC 52)", "information"
    return f"{why}{text} sent via OSC 52 only; tmux refused: {tmux_reason}", "warning"


def copy_text(app: App[Any], text: str, *, env: Mapping[str, str] | None = None, why: str = "") -> None:
    """Copy ``text`` (cleaned) by OSC 52 now; inside tmux also by ``tmux load-buffer`` in a
    thread worker; one notification once it is known which way it went."""
    clean = sanitize_line(text)
    env = dict(os.environ if env is None else env)
    app.copy_to_clipboard(clean)
    if not env.get("TMUX"):
        message, severity = copy_outcome(clean, in_tmux=False, tmux_reason=None, why=why)
        app.notify(message, severity=severity, timeout=4, markup=False)
        return

    def to_tmux() -> None:
        reason = tmux_load_buffer(clean, env=env)
        message, severity = copy_outcome(clean, in_tmux=True, tmux_reason=reason, why=why)
        app.call_from_thread(app.notify, message, severity=severity, timeout=6, markup=False)

    app.run_worker(to_tmux, name="copy to tmux", group="clipboard", thread=True, exit_on_error=False)
