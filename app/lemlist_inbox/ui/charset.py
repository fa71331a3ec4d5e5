"""Unicode or ASCII: the one decision every mark, border and scrollbar follows.

A terminal in a non-UTF-8 locale (``LANG=C``, ``LC_ALL=POSIX``, ``en_US.ISO-8859-1``)
shows a UTF-8 ``●`` or box-drawing line as mojibake, so there everything on screen is
ASCII: the list's marks, the picker, key bar, header, status line, help, the thread
pane, borders and scrollbars (``ui.ascii_screen`` covers what Textual draws itself).

The decision, first match wins:

1. ``LEMLIST_INBOX_ASCII`` in the environment (``1``/``true``/``yes``/``on`` or
   ``0``/``false``/``no``/``off``): an override for one run;
2. the ``ascii`` setting, when ``true`` or ``false`` (``"auto"`` goes on);
3. the locale, read as POSIX does: the first non-empty of ``LC_ALL``, ``LC_CTYPE``,
   ``LANG``. ``C``/``POSIX`` or a locale that does not name UTF-8 as its codeset means
   ASCII. This comes from the environment, not from ``sys.stdout.encoding``: Python's
   locale coercion and UTF-8 mode make stdout say ``utf-8`` under ``LANG=C``, although
   the terminal behind it is not. The coercion (PEP 538) also *writes*
   ``LC_CTYPE=C.UTF-8`` into ``os.environ`` at start-up, so without ``LC_ALL`` an
   ``LC_CTYPE`` of exactly ``C.UTF-8``/``C.utf8``/``UTF-8`` is read as Python's, not the
   user's, and skipped (a user who set it by hand beside ``LANG=C`` gets ASCII: the safe
   side of the doubt);
4. when no locale variable is set, or the locale names UTF-8: the output encoding, so a
   stdout that cannot encode the marks still gets ASCII.

Pure (no Textual): the CLI's ``show`` asks the same question.
"""

from __future__ import annotations

import locale
import os
import re
import sys
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from rich.cells import cell_len

__all__ = [
    "ASCII_CHROME",
    "ENV_OVERRIDE",
    "UNICODE_CHROME",
    "Chrome",
    "ascii_keys",
    "ascii_only",
    "chrome",
    "configure",
    "decide",
    "locale_is_utf8",
    "to_ascii",
]

ENV_OVERRIDE = "LEMLIST_INBOX_ASCII"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
#: What the output must be able to encode for Unicode marks (those of the list and the pane).
SAMPLE = "●↩✉•…→←▸▾⚠─—·⏎↓↑"

#: The ``ascii`` setting of this process (None = "auto"), set once by the app or the CLI.
_setting: bool | None = None


def configure(setting: bool | None) -> None:
    """Record the ``ascii`` setting (None for auto) for ``ascii_only`` callers.

    One value per process: the terminal does not change while we run, and the glyph
    choices are made in places (thread workers, CLI renderers) that have no settings.
    """
    global _setting
    _setting = setting


#: What Python's C-locale coercion puts in ``LC_CTYPE`` (PEP 538).
_COERCED = frozenset({"C.UTF-8", "C.utf8", "UTF-8"})

_CODESET = re.compile(r"^[^.@]*(?:\.(?P<codeset>[^@]*))?(?:@.*)?$")


def locale_is_utf8(env: Mapping[str, str]) -> bool | None:
    """True or False by the locale variables (POSIX order); None when none is set."""
    coerced = not env.get("LC_ALL", "").strip() and env.get("LC_CTYPE", "").strip() in _COERCED
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = env.get(name, "").strip()
        if name == "LC_CTYPE" and coerced:
            continue
        if value:
            break
    else:
        return None
    if value in {"C", "POSIX"}:
        return False
    match = _CODESET.match(value)
    codeset = (match.group("codeset") or "") if match else ""
    return codeset.lower().replace("-", "").replace("_", "") == "utf8"


def _encodes(sample: str, encoding: str | None) -> bool:
    if encoding is None:
        encoding = getattr(sys.stdout, "encoding", None) or locale.getpreferredencoding(False)
    try:
        sample.encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def decide(
    setting: bool | None = None,
    env: Mapping[str, str] | None = None,
    encoding: str | None = None,
    sample: str = SAMPLE,
) -> bool:
    """True when the screen must be ASCII only (see the module's rules, in order)."""
    env = os.environ if env is None else env
    override = env.get(ENV_OVERRIDE, "").strip().lower()
    if override in _TRUE:
        return True
    if override in _FALSE:
        return False
    if setting is not None:
        return setting
    if locale_is_utf8(env) is False:
        return True
    return not _encodes(sample, encoding)


def ascii_only(env: Mapping[str, str] | None = None, encoding: str | None = None) -> bool:
    """``decide`` with this process's ``ascii`` setting (``configure``)."""
    return decide(_setting, env, encoding)


# --------------------------------------------------------------------------- the chrome's marks


@dataclass(frozen=True)
class Chrome:
    """The marks of the header, status line, picker and help (the list's are ``format.Glyphs``)."""

    separator: str
    ellipsis: str
    current: str
    open_quote: str
    close_quote: str


UNICODE_CHROME = Chrome(separator=" · ", ellipsis="…", current="●", open_quote="“", close_quote="”")
ASCII_CHROME = Chrome(separator=" | ", ellipsis="...", current="*", open_quote='"', close_quote='"')


def chrome(env: Mapping[str, str] | None = None, encoding: str | None = None) -> Chrome:
    """The chrome's marks for this screen (``ascii_only``)."""
    return ASCII_CHROME if ascii_only(env, encoding) else UNICODE_CHROME


#: Key names Textual (and our tables) show as symbols, spelled out for an ASCII screen.
_KEY_WORDS = {"⏎": "Enter", "↓": "Down", "↑": "Up", "←": "Left", "→": "Right", "⌫": "Bksp", "⇥": "Tab"}


def ascii_keys(text: str) -> str:
    """A key display (``⏎/l``, ``j / k / ↓ / ↑``) with its symbols as words, then ASCII."""
    for symbol, word in _KEY_WORDS.items():
        text = text.replace(symbol, word)
    return to_ascii(text)


# --------------------------------------------------------------------------- transliteration

#: Glyphs with an ASCII look-alike of the same width (one cell each).
_LOOKALIKES: dict[str, str] = {
    "…": ".", "·": ".", "•": "*", "●": "*", "○": "o", "◦": "o", "∙": ".",
    "→": ">", "←": "<", "↑": "^", "↓": "v", "↩": "R", "⏎": "J", "▸": ">", "▾": "v",
    "▶": ">", "◀": "<", "▲": "^", "▼": "v", "⚠": "!", "✉": "@", "✓": "v", "✔": "v",
    "✕": "x", "✗": "x", "×": "x", "—": "-", "–": "-", "‒": "-", "−": "-", "‐": "-",
    "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i",
    "ß": "s", "Æ": "A", "æ": "a", "Œ": "O", "œ": "o", "Þ": "T", "þ": "t", "Ð": "D", "ð": "d",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
}  # fmt: skip


def _box(char: str, name: str) -> str | None:
    """Box drawing and block elements as ASCII lines (borders, rules, scrollbars)."""
    code = ord(char)
    if 0x2500 <= code <= 0x257F:  # box drawing
        horizontal = "HORIZONTAL" in name
        vertical = "VERTICAL" in name
        if ("DOWN" in name or "UP" in name) and ("LEFT" in name or "RIGHT" in name):
            return "+"
        if "ARC" in name:
            return "+"
        if horizontal and not vertical:
            return "-"
        if vertical and not horizontal:
            return "|"
        if "DIAGONAL" in name:
            return "\\" if "UPPER LEFT" in name else "/"
        return "+"
    if 0x2580 <= code <= 0x259F:  # block elements: partial blocks are the edges of borders
        if "SHADE" in name:
            return ":"
        if "FULL" in name or "QUADRANT" in name:
            return "#"
        if "LEFT" in name or "RIGHT" in name:
            return "|"
        return "-" if "UPPER" in name else "_"
    return None


@lru_cache(maxsize=4096)
def _char(char: str) -> str:
    width = cell_len(char)
    if width == 0:
        return ""
    replacement = _LOOKALIKES.get(char)
    if replacement is None:
        replacement = _box(char, unicodedata.name(char, ""))
    if replacement is None:
        # é -> e, ﬁ -> fi, Ａ -> A: the letters without their marks, where there are any.
        decomposed = unicodedata.normalize("NFKD", char)
        replacement = "".join(c for c in decomposed if c.isascii() and c.isprintable()) or "?"
    # Same cells as the original, so nothing after it moves.
    return replacement[:width].ljust(width)


def to_ascii(text: str) -> str:
    """``text`` in printable ASCII, cell for cell (a wide character becomes two cells)."""
    if text.isascii():
        return text
    return "".join(c if c.isascii() else _char(c) for c in text)
