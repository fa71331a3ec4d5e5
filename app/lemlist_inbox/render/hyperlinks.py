"""Which link targets may become a terminal hyperlink (OSC 8), and in what form.

An OSC 8 sequence is ``ESC ] 8 ; params ; URI ESC \\``: the URI sits *inside* an escape
sequence, and neither Rich nor Textual checks it (they write it as given). A target holding
an ESC, a BEL, a C1 ``ST`` (U+009C) or any other control character could end the sequence
early and smuggle its own (a clipboard write, a title change) onto the reader's terminal.
So only ``http``, ``https`` and ``mailto`` targets qualify, a target with a control or bidi
character anywhere is refused outright (there is no honest reading of one), and everything
else outside printable ASCII is percent-encoded (UTF-8), as the OSC 8 convention asks
(bytes 32 to 126 only). The same form is what the link picker opens or copies.

Pure, no Textual: the CLI's ``show`` and the pane both use it.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote, urlsplit

__all__ = ["MAX_URL", "SAFE_SCHEMES", "link_id_for", "osc8", "safe_link_url"]

#: Schemes a reader may follow from the terminal; the rest stay plain text.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
#: Longer targets are not made clickable: terminals cap OSC 8 URIs (often near 2 kB) and
#: such a URL is nearly always a tracker's payload.
MAX_URL = 2048

# Anything a terminal, or a bidi algorithm, could act on: C0, DEL, C1, bidi controls and
# marks, zero-width and invisible characters, line and paragraph separators.
_REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
# Characters allowed unescaped in a URI (RFC 3986 reserved + unreserved) plus "%" (already
# escaped input stays as it is); everything else, including space, is percent-encoded.
_URI_SAFE = "!#$&'()*+,-./:;=?@[]_~%"


def safe_link_url(target: str | None) -> str | None:
    """``target`` in a form fit for an OSC 8 hyperlink, or None when it must stay plain text.

    None for anything but http/https/mailto, for a target with a control, bidi or invisible
    character, an http(s) URL without a host, or one longer than ``MAX_URL`` once encoded.
    Leading and trailing spaces are dropped; every other non-printable-ASCII character is
    percent-encoded, so the result only holds bytes 33 to 126.
    """
    if not isinstance(target, str):
        return None
    text = target.strip(" ")
    if not text or len(text) > MAX_URL or _REFUSED.search(text):
        return None
    scheme, colon, _rest = text.partition(":")
    if not colon or scheme.lower() not in SAFE_SCHEMES:
        return None
    encoded = quote(text, safe=_URI_SAFE)
    if len(encoded) > MAX_URL:
        return None
    if scheme.lower() != "mailto":
        try:
            parts = urlsplit(encoded)
            host = parts.hostname
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            return None
        if not host or not encoded[len(scheme) + 1 :].startswith("//"):
            return None
    return encoded


def link_id_for(url: str) -> str:
    """The OSC 8 id of every piece of a link to ``url``: one id per URL, so a link folded
    over several lines (or painted again in another frame) stays one link for the terminal."""
    return hashlib.blake2s(url.encode("utf-8", "replace"), digest_size=8).hexdigest()


def osc8(text: str, url: str) -> str:
    """``text`` (already clean) as an OSC 8 hyperlink to ``url``, or ``text`` alone when
    ``url`` is not fit for one (``safe_link_url``)."""
    checked = safe_link_url(url)
    if checked is None:
        return text
    return f"\x1b]8;id={link_id_for(checked)};{checked}\x1b\\{text}\x1b]8;;\x1b\\"
