"""Plain-text bodies (LinkedIn messages and text-only mail): shown as written.

No conversion, only what makes them safe and tidy: sanitized, whitespace cleaned, and a trailing
``> `` quoted block folded like an HTML quote, so the UI treats both kinds of body alike.
"""

from __future__ import annotations

from lemlist_inbox.render.body import Body
from lemlist_inbox.render.html import MAX_HTML_CHARS, failed_body, size_note
from lemlist_inbox.render.quotes import fold_plain
from lemlist_inbox.render.sanitize import sanitize
from lemlist_inbox.render.whitespace import clean_whitespace


def text_to_body(text: str) -> Body:
    """Turn a plain-text body into a ``Body``. Pure, thread-safe, never raises."""
    try:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        original = len(text)
        truncated = original > MAX_HTML_CHARS
        clean = clean_whitespace(sanitize(text[:MAX_HTML_CHARS]))
        split = fold_plain(clean)
        body_text = split.text
        if truncated:
            body_text = (body_text + "\n\n" if body_text else "") + size_note(original, MAX_HTML_CHARS)
        quoted = split.quoted
        return Body(
            text=body_text,
            quoted=quoted,
            quote_header=split.header,
            quote_line_count=quoted.count("\n") + 1 if quoted else 0,
            truncated=truncated,
        )
    except Exception:  # never crash the reader on one message
        return failed_body(text)
