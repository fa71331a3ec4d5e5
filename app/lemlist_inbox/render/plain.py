"""Plain-text bodies (LinkedIn messages and text-only mail): shown as written.

No conversion, only what makes them safe and tidy: sanitized, whitespace cleaned, and a trailing
``> `` quoted block folded like an HTML quote, so the UI treats both kinds of body alike.
"""

from __future__ import annotations

from lemlist_inbox.render.body import Body
from lemlist_inbox.render.html import MAX_HTML_CHARS, body_from_split, failed_body
from lemlist_inbox.render.quotes import fold_plain
from lemlist_inbox.render.sanitize import sanitize
from lemlist_inbox.render.whitespace import clean_whitespace


def text_to_body(text: str) -> Body:
    """Turn a plain-text body into a ``Body``. Pure, thread-safe, never raises."""
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        original = len(text)
        clean = clean_whitespace(sanitize(text[:MAX_HTML_CHARS]))
        return body_from_split(fold_plain(clean), original=original, kept=min(original, MAX_HTML_CHARS))
    except Exception:  # never crash the reader on one message
        return failed_body(text)
