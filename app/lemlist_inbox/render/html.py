"""HTML message bodies to literal text: first pass, html2text, quote split, clean-up.

html2text is configured for reading in a terminal, not for producing Markdown: no wrapping (the
UI wraps to the pane width), no images, no emphasis marks, no Markdown escaping of ordinary
punctuation (``1\\.`` and ``\\-`` are noise to a reader). Links never reach it: the first pass
(``prepare``) has already turned them into numbered references.

html2text is imported on first use, not at import time: start-up only paints the conversation
list, and the import costs tens of milliseconds (benchmark row "1 start-up: heavy modules").
"""

from __future__ import annotations

import contextlib
import functools
import re
from html import unescape
from typing import Any

from lemlist_inbox.render.body import FAILED_NOTE, Body, Link
from lemlist_inbox.render.prepare import prepare
from lemlist_inbox.render.quotes import Split, split_rendered
from lemlist_inbox.render.sanitize import sanitize
from lemlist_inbox.render.sentinels import restore_text
from lemlist_inbox.render.whitespace import clean_whitespace

#: Larger inputs are cut (with a note): conversion time grows with size and nobody reads 3 MB.
MAX_HTML_CHARS = 3_000_000
#: ... and so are inputs with more tags than this (see ``_tag_limit``).
MAX_TAGS = 150_000
_TAGS = re.compile(r"<[^<>]{0,10000}>")
_BLOCK_TAGS = re.compile(
    r"<(?:br|/?p|/?div|/?li|/?tr|/?h[1-6]|/?blockquote|hr)\b[^<>]{0,10000}>", re.IGNORECASE
)
_RUNS = re.compile(r"[ \u00a0]{2,}")
_COMMENTS = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


@functools.cache
def _reader_class() -> type[Any]:
    """html2text's converter, subclassed so text is never Markdown-escaped (imported lazily)."""
    import html2text

    class _Reader(html2text.HTML2Text):
        def handle_data(self, data: str, entity_char: bool = False) -> None:
            # entity_char=True is html2text's "do not escape this" path; the input is plain
            # text we escaped ourselves, so no Markdown escaping is ever wanted.
            super().handle_data(data, True)

    return _Reader


def html2text_convert(html: str) -> str:
    """Run html2text, configured for reading, on already-prepared HTML."""
    reader = _reader_class()(bodywidth=0)
    reader.unicode_snob = True
    reader.escape_snob = False
    reader.ignore_images = True
    reader.images_to_alt = True
    reader.ignore_emphasis = True
    reader.ignore_links = True
    reader.ignore_tables = True
    reader.inline_links = False
    reader.protect_links = False
    reader.wrap_links = False
    reader.wrap_list_items = False
    reader.use_automatic_links = False
    reader.ul_item_mark = "-"
    reader.mark_code = False
    result: str = reader.handle(html)
    return result


def _tag_limit(html: str) -> int:
    """Where the ``MAX_TAGS``-th tag starts (the input's length when it has fewer).

    html2text spends ~20 µs per tag: 2 MB of pure tag soup would take ~10 s even though the
    work is linear. Real mail, even a 2 MB newsletter, stays well under the limit.
    """
    if html.count("<", 0, MAX_HTML_CHARS) <= MAX_TAGS:
        return len(html)
    pos = -1
    for _ in range(MAX_TAGS):
        pos = html.find("<", pos + 1)
    return pos


def size_note(original: int, kept: int) -> str:
    return f"[message truncated: showing the first {kept / 1e6:.1f} MB of {original / 1e6:.1f} MB]"


def body_from_split(split: Split, *, original: int, kept: int, links: tuple[Link, ...] = ()) -> Body:
    """The ``Body`` of a split message, HTML or plain: one place that says it was cut."""
    truncated = kept < original
    text = split.text
    if truncated:
        text = (text + "\n\n" if text else "") + size_note(original, kept)
    quoted = split.quoted
    return Body(
        text=text,
        quoted=quoted,
        quote_header=split.header,
        links=links,
        quote_line_count=quoted.count("\n") + 1 if quoted else 0,
        truncated=truncated,
    )


def html_to_body(html: str) -> Body:
    """Convert one message's HTML to a ``Body``. Pure, thread-safe, never raises.

    Order matters: the raw input is sanitized first (controls and sentinels never reach either
    parser), cut to ``MAX_HTML_CHARS``, cleaned by the first pass, rendered by html2text, split at
    the quote, and whitespace-cleaned and sanitized again on the way out.
    """
    try:
        return _convert(html)
    except Exception:  # a message that cannot be shown must not crash the reader
        return failed_body(html)


def _convert(html: str) -> Body:
    if not isinstance(html, str):
        html = "" if html is None else str(html)
    original = len(html)
    cut = min(original, MAX_HTML_CHARS, _tag_limit(html))
    truncated = cut < original
    if truncated:
        html = html[:cut]
    # In HTML a CR is only whitespace: make it a newline before sanitize drops lone CRs.
    prepared = prepare(sanitize(html.replace("\r", "\n")))
    rendered = restore_text(html2text_convert(prepared.html))
    split = split_rendered(sanitize(rendered))
    links = _mark_quoted(prepared.links, split.text, split.quoted)
    return body_from_split(split, original=original, kept=cut, links=links)


def _mark_quoted(links: tuple[Link, ...], text: str, quoted: str | None) -> tuple[Link, ...]:
    """A link is "quoted" when its number shows only in the folded part.

    Decided after the split because text heuristics (Outlook's rule + "From:", "> " blocks) find
    quotes only in html2text's output, after the links were numbered.
    """
    if quoted is None:
        marked = tuple(link for link in links if link.quoted)
        if not marked:
            return links
    return tuple(
        Link(
            link.number,
            link.text,
            link.target,
            link.suspicious,
            link.warning,
            quoted is not None and f"[{link.number}]" not in text,
        )
        for link in links
    )


def strip_tags(html: str) -> str:
    """Crude, linear tag removal for the failure path: the words, without any markup."""
    text = _COMMENTS.sub(" ", html[:MAX_HTML_CHARS])
    text = _BLOCK_TAGS.sub("\n", text)
    text = _TAGS.sub("", text)
    with contextlib.suppress(Exception):
        text = unescape(text)
    lines = (_RUNS.sub(" ", line).strip() for line in sanitize(text).split("\n"))
    return clean_whitespace("\n".join(lines))


def failed_body(raw: object) -> Body:
    """The body shown when conversion failed: a note, then whatever text can be salvaged."""
    try:
        salvage = strip_tags(raw if isinstance(raw, str) else str(raw))
    except Exception:
        salvage = ""
    text = FAILED_NOTE + ("\n\n" + salvage if salvage else "")
    return Body(text=text, failed=True)
