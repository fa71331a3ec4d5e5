"""Screenshots from the palette: an SVG of the screen, saved where the user finds it.

Textual's own command writes into a Downloads folder that a fresh home (a server over
SSH, a container) does not have, and fails. Here the folder is the platform's downloads
folder (``~/Downloads`` on Linux, ``XDG_DOWNLOAD_DIR`` when set), created (0700) when
missing, and the notification names the file. The SVG holds what is on screen and
nothing else; the API key is never drawn, so it cannot be in it.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
from textual.app import App


def screenshot_folder() -> Path:
    """Where screenshots go: the platform's downloads folder."""
    return Path(platformdirs.user_downloads_dir())


def screenshot_name(now: datetime | None = None) -> str:
    """``lemlist-inbox-20261202-074301.svg``: sortable, no spaces, no colons."""
    return f"lemlist-inbox-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S')}.svg"


def save_screenshot(app: App[Any], *, filename: str | None = None, folder: str | None = None) -> Path | None:
    """Write the screen as SVG and notify where; a failure is a notification too."""
    target_dir = Path(folder).expanduser() if folder else screenshot_folder()
    target = target_dir / (filename or screenshot_name())
    try:
        target_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        svg = app.export_screenshot()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(svg)
    except OSError as exc:
        app.notify(
            f"could not save the screenshot in {target_dir}: {exc.strerror or exc}",
            severity="error",
            markup=False,
        )
        return None
    app.notify(f"screenshot saved: {target}", timeout=8, markup=False)
    return target
