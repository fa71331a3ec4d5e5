"""Make untrusted text safe to put on a terminal.

Everything the API sends (names, subjects, bodies, link targets, file names) was written by a
stranger. Rich/Textual print strings as they are, so a stray ESC, OSC 52 or CR in a subject could
clear the screen, write the clipboard or overwrite what the user reads; bidi overrides can make
``evil.exe`` look like ``exe.live``. ``sanitize`` is the single choke point the render layer passes
every string through before it leaves ``lemlist_inbox.render``.
"""

from __future__ import annotations

import re

# Terminal escape sequences are removed whole, payload included, so "ESC]52;c;<base64> BEL" does
# not leave its base64 behind. Bounded repetition keeps the regexes linear on hostile input.
_ESCAPES = re.compile(
    r"""
      \x1b\[[\x30-\x3b\x3d-\x3f]{0,64}[\x20-\x2f]{0,16}[\x40-\x7e]?   # CSI ... final byte
    | \x9b[\x30-\x3b\x3d-\x3f]{0,64}[\x20-\x2f]{0,16}[\x40-\x7e]?     # 8-bit CSI
    | (?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])                        # OSC, DCS, SOS, PM, APC ...
      [^\x07\x1b\x9c\n<>]{0,4096}(?:\x07|\x1b\\|\x9c)                  # ... payload and terminator
    | \x1b[\x20-\x2f]{0,8}[\x30-\x3b\x3d-\x7e]?                         # other ESC + final byte
    """,
    re.VERBOSE,
)
# "<" is never taken as part of a sequence: HTML is sanitized before parsing, and a stray ESC
# must not swallow the "<" of the next tag (that would change the document's structure).

# Characters that end a line for some consumers (Python's splitlines, Rich) but not others: make
# them a plain newline so every layer agrees on where lines are.
_NEWLINES = {0x0B: "\n", 0x0C: "\n", 0x85: "\n", 0x2028: "\n", 0x2029: "\n"}

_DROP: dict[int, str | None] = {}
for _cp in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)):
    _DROP[_cp] = None
_DROP[0x0A] = "\n"
_DROP[0x09] = "    "
_DROP.update(_NEWLINES)
# Bidi embeddings/overrides/isolates and marks: they reorder what the user sees.
for _cp in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
    _DROP[_cp] = None
# Invisible characters that only hide or split words (ZWJ/ZWNJ stay: emoji and scripts need them).
for _cp in (
    0x00AD,
    0x180E,
    0x200B,
    0x2060,
    0x2061,
    0x2062,
    0x2063,
    0x2064,
    0xFEFF,
    0xFFF9,
    0xFFFA,
    0xFFFB,
    0xFFFE,
    0xFFFF,
):
    _DROP[_cp] = None
del _cp

_SURROGATES = re.compile(r"[\ud800-\udfff]")
_SPACES = re.compile(r"[ \u00a0]{2,}")
_SINGLE_LINE_MAX = 1000


def _fix_surrogates(text: str) -> str:
    """Join valid surrogate pairs, replace lone ones with U+FFFD, so the text encodes as UTF-8."""
    try:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    except UnicodeError:  # pragma: no cover - surrogatepass accepts every str
        return _SURROGATES.sub("\ufffd", text)


def sanitize(text: str) -> str:
    """Return ``text`` with nothing a terminal would interpret: only printable text and ``\\n``.

    Removes C0/C1 controls and DEL (tab becomes four spaces, CRLF becomes LF, a lone CR is dropped
    because it is an overwrite trick), whole ESC/CSI/OSC/DCS sequences, bidi controls and invisible
    zero-width characters; lone surrogates become U+FFFD. Idempotent and never raises.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    if not text:
        return ""
    if "\x1b" in text or any(c in text for c in "\x9b\x9d\x90\x98\x9e\x9f"):
        text = _ESCAPES.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    text = text.translate(_DROP)
    if _SURROGATES.search(text):
        text = _fix_surrogates(text)
    return text


def sanitize_line(text: str | None, limit: int = _SINGLE_LINE_MAX) -> str:
    """``sanitize`` for one-line fields (names, subjects, link text): newlines and runs of spaces
    become one space, and a huge value is cut (with an ellipsis) so it cannot swamp a header."""
    if text is None:
        return ""
    if isinstance(text, str) and len(text) <= limit and text.isascii() and text.isprintable():
        return _SPACES.sub(" ", text).strip()  # fast path: nothing to remove
    clean = sanitize(text).replace("\n", " ")
    clean = _SPACES.sub(" ", clean).strip()
    if len(clean) > limit:
        clean = clean[: limit - 1].rstrip() + "…"
    return clean
