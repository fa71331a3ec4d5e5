"""Where the shipped data files (the ``.tcss`` styles) live.

In a wheel, ``styles/`` is packaged inside ``lemlist_inbox/styles``; in an editable
install or a source checkout it stays at the repository's top level. Both are looked
up here so the UI never guesses paths itself.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def styles_dir() -> Path:
    """The folder holding the ``.tcss`` files, installed or in a checkout."""
    installed = _PACKAGE_DIR / "styles"
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent / "styles"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("lemlist-inbox styles folder not found; the installation is incomplete")


def stylesheet(name: str) -> Path:
    """Path of one ``.tcss`` file by name (``"app.tcss"``)."""
    return styles_dir() / name
