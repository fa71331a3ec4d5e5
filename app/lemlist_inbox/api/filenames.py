"""A file name from a stranger, made safe to create in the download folder.

An attachment's name is whatever the sender (or a hostile server) wrote: ``../../.bashrc``,
``C:\\Windows\\evil.dll``, ``/etc/passwd``, ``CON``, a name with a newline or a bidi override
(``invoice‮fdp.exe`` reads as ``invoiceexe.pdf``), or 10,000 characters. What is created is
always one plain file *inside* the folder chosen:

- only the last path component is kept (``/`` and ``\\`` both separate), so a path
  climbs nowhere; ``..`` and ``.`` are no names;
- control, format (bidi, zero-width), private-use and unassigned characters are dropped,
  whitespace becomes one space (``api.retry.clean_text``, the layer's cleaner);
- characters Windows refuses (``<>:"|?*``) become ``_``; leading dots and spaces go (no
  hidden files, no ``..`` prefix), trailing dots and spaces too (Windows drops them);
- a Windows reserved device name (``CON``, ``nul.txt``, ``COM1``...) gets a ``_`` prefix;
- the name is cut to ``MAX_NAME_BYTES`` of UTF-8, keeping its extension;
- nothing left: ``attachment``.

``unique_name`` then picks ``name (1).ext``, ``name (2).ext``... among names already taken.
"""

from __future__ import annotations

import re
import unicodedata

from lemlist_inbox.api.retry import clean_text

__all__ = ["FALLBACK_NAME", "MAX_NAME_BYTES", "numbered", "safe_filename"]

#: Most file systems allow 255 bytes; room is left for `` (999)`` and the temporary suffix.
MAX_NAME_BYTES = 200
FALLBACK_NAME = "attachment"
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.IGNORECASE)
_MAX_EXTENSION = 16


def _cut(text: str, max_bytes: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore").rstrip(" .")


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > _MAX_EXTENSION or " " in extension:
        return name, ""
    return stem, "." + extension


def safe_filename(name: str | None, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """``name`` as one safe file name (see the module docstring); never empty."""
    text = unicodedata.normalize("NFC", name) if isinstance(name, str) else ""
    # Separators first, on the raw text: a control character must not hide one.
    text = re.split(r"[/\\]", text)[-1]
    text = clean_text(text, limit=len(text) + 1)
    text = _WINDOWS_FORBIDDEN.sub("_", text)
    text = text.lstrip(" .").rstrip(" .")
    if text in ("", ".", ".."):
        return FALLBACK_NAME
    if _RESERVED.match(text):
        text = "_" + text
    stem, extension = _split_extension(text)
    room = max_bytes - len(extension.encode("utf-8"))
    stem = _cut(stem, max(1, room)).rstrip(" .")
    return (stem or FALLBACK_NAME) + extension


def numbered(name: str, number: int) -> str:
    """``report.pdf`` -> ``report (2).pdf``; 0 gives the name itself."""
    if number <= 0:
        return name
    stem, extension = _split_extension(name)
    return f"{stem} ({number}){extension}"
