"""Following a link from the pickers: the browser when there is a local display, else the clipboard.

Over SSH ``webbrowser`` would start a browser on the *server* (or, with a console browser
in ``$BROWSER``, take over the terminal the TUI is drawing on), so the session is taken
for remote when ``SSH_CONNECTION``/``SSH_TTY``/``SSH_CLIENT`` is set, and for headless on
Linux and the BSDs without ``DISPLAY``/``WAYLAND_DISPLAY``; then the link is copied instead
(OSC 52 and tmux, as ``y`` does: ``ui.clipboard``) and the notification says why. macOS
and Windows always have a display. The browser is started in a thread worker (``open``
can take a while to return), and a failure falls back to copying.

Only URLs from ``render.hyperlinks.safe_link_url`` reach here (http, https, mailto).
"""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Callable, Mapping
from typing import Any

from textual.app import App

from lemlist_inbox.ui.clipboard import copy_text

__all__ = ["local_display", "open_or_copy"]

_SSH = ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")


def local_display(env: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Whether a browser started here would show on the screen the user is looking at."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if any(env.get(name) for name in _SSH):
        return False
    if platform == "darwin" or platform.startswith(("win", "cygwin")):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _no_display_reason(env: Mapping[str, str]) -> str:
    if any(env.get(name) for name in _SSH):
        return "over SSH (no local browser): "
    return "no local display: "


def open_or_copy(
    app: App[Any],
    url: str,
    *,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    browser: Callable[[str], bool] | None = None,
) -> None:
    """Open ``url`` in the browser if there is a local display, else copy it; notify which."""
    env = dict(os.environ if env is None else env)
    if not local_display(env, platform):
        copy_text(app, url, env=env, why=_no_display_reason(env))
        return
    opener = browser or (lambda target: webbrowser.open(target, new=2))

    def start() -> None:
        try:
            opened = bool(opener(url))
        except Exception:  # webbrowser raises for broken $BROWSER entries: copy instead
            opened = False
        if opened:
            app.call_from_thread(app.notify, f"opened {url} in the browser", timeout=4, markup=False)
        else:
            app.call_from_thread(copy_text, app, url, env=env, why="no browser could be started: ")

    app.run_worker(start, name="open in browser", group="browser", thread=True, exit_on_error=False)
