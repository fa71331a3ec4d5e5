"""Message rendering: untrusted HTML and text to clean, literal, sanitized text.

Pure functions, no Textual, no network, safe to call from worker threads. The UI and the CLI
both print what comes out of here, and nothing else from the API.

Only ``sanitize`` and the ``Body`` types are imported with the package: the conversation
list needs ``sanitize`` for its first frame, while the message renderer pulls in the API
models (pydantic) and the HTML pipeline, which can wait until a thread is opened
(benchmark row "1 start-up: heavy modules").
The other names load on first use (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lemlist_inbox.lazy import lazy_getattr
from lemlist_inbox.render.body import FAILED_NOTE, Body, Link
from lemlist_inbox.render.sanitize import sanitize, sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.render.html import MAX_HTML_CHARS, html_to_body
    from lemlist_inbox.render.marks import ASCII_MARKS, UNICODE_MARKS, TextMarks, link_host
    from lemlist_inbox.render.message import (
        RenderedMessage,
        chat_parts,
        fold_parts,
        format_when,
        header_lines,
        human_size,
        is_chat,
        render_header,
        render_message,
        render_thread,
        type_label,
    )
    from lemlist_inbox.render.plain import text_to_body
    from lemlist_inbox.render.thread_text import (
        QuoteHints,
        chat_line,
        folded_quote_line,
        link_lines,
        message_lines,
        thread_as_text,
        thread_lines,
    )

#: Lazily loaded name -> the module that defines it.
_LAZY = {
    "MAX_HTML_CHARS": "html",
    "html_to_body": "html",
    "RenderedMessage": "message",
    "chat_parts": "message",
    "fold_parts": "message",
    "is_chat": "message",
    "chat_line": "thread_text",
    "format_when": "message",
    "header_lines": "message",
    "human_size": "message",
    "render_message": "message",
    "render_header": "message",
    "render_thread": "message",
    "type_label": "message",
    "text_to_body": "plain",
    "ASCII_MARKS": "marks",
    "UNICODE_MARKS": "marks",
    "link_host": "marks",
    "QuoteHints": "thread_text",
    "TextMarks": "marks",
    "folded_quote_line": "thread_text",
    "link_lines": "thread_text",
    "message_lines": "thread_text",
    "thread_as_text": "thread_text",
    "thread_lines": "thread_text",
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


__all__ = [
    "ASCII_MARKS",
    "FAILED_NOTE",
    "MAX_HTML_CHARS",
    "UNICODE_MARKS",
    "Body",
    "Link",
    "QuoteHints",
    "RenderedMessage",
    "TextMarks",
    "chat_line",
    "chat_parts",
    "fold_parts",
    "folded_quote_line",
    "format_when",
    "header_lines",
    "html_to_body",
    "human_size",
    "is_chat",
    "link_host",
    "link_lines",
    "message_lines",
    "render_header",
    "render_message",
    "render_thread",
    "sanitize",
    "sanitize_line",
    "text_to_body",
    "thread_as_text",
    "thread_lines",
    "type_label",
]
