"""Message rendering: untrusted HTML and text to clean, literal, sanitized text.

Pure functions, no Textual, no network, safe to call from worker threads. The UI and the CLI
both print what comes out of here, and nothing else from the API.
"""

from lemlist_inbox.render.body import FAILED_NOTE, Body, Link
from lemlist_inbox.render.html import MAX_HTML_CHARS, html_to_body
from lemlist_inbox.render.message import (
    RenderedMessage,
    format_when,
    header_lines,
    human_size,
    render_message,
    render_thread,
    type_label,
)
from lemlist_inbox.render.plain import text_to_body
from lemlist_inbox.render.sanitize import sanitize, sanitize_line
from lemlist_inbox.render.thread_text import body_lines, folded_quote_line, link_lines, thread_as_text

__all__ = [
    "FAILED_NOTE",
    "MAX_HTML_CHARS",
    "Body",
    "Link",
    "RenderedMessage",
    "body_lines",
    "folded_quote_line",
    "format_when",
    "header_lines",
    "html_to_body",
    "human_size",
    "link_lines",
    "render_message",
    "render_thread",
    "sanitize",
    "sanitize_line",
    "text_to_body",
    "thread_as_text",
    "type_label",
]
