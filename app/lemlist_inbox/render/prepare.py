"""First pass over untrusted HTML: keep structure and visible text, drop the rest.

Why a pass of our own before html2text: html2text renders whatever it is given (hidden preheaders,
tracking pixels' alt text, ``<title>``, inline link markup) and its state (blockquote depth, list
stack) trusts balanced tags. Here the standard library's HTMLParser (no recursion, tolerant of any
input) walks the markup once with an explicit stack of open elements, so hidden subtrees are
skipped, every emitted tag is closed, anchors become numbered references, and the start of quoted
history is marked with private-use sentinels that survive html2text and are found again in its
output (see ``quotes``). html2text then only ever sees small, well-formed, escaped HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from lemlist_inbox.render.body import Link
from lemlist_inbox.render.defuse import defuse
from lemlist_inbox.render.links import LinkTable
from lemlist_inbox.render.sanitize import sanitize_line
from lemlist_inbox.render.sentinels import (
    ATTR_CLOSE,
    ATTR_OPEN,
    BORDER,
    LINE,
    PARA,
    QUOTE_START,
    RULE,
    STRIP_SENTINELS,
    TEXT_ESCAPE,
)
from lemlist_inbox.render.visibility import is_hidden, is_tracking_image

VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "keygen",
        "frame",
        "basefont",
        "bgsound",
        "image",
        "isindex",
    ]
)
# Elements allowed inside <head>; any other start tag implicitly ends it (as browsers do).
_HEAD_OK = frozenset(["title", "meta", "link", "style", "script", "base", "noscript", "template"])
# What html2text gets for each structural element; anything else is unwrapped (text kept).
_EMIT = {
    **{t: t for t in ["p", "div", "blockquote", "ul", "ol", "li", "pre", "dl", "dt", "dd"]},
    **{t: "p" for t in ["h1", "h2", "h3", "h4", "h5", "h6"]},
    **{
        t: "div"
        for t in [
            "table",
            "tbody",
            "thead",
            "tfoot",
            "caption",
            "section",
            "article",
            "header",
            "footer",
            "main",
            "center",
            "address",
            "figure",
            "figcaption",
            "details",
            "summary",
            "nav",
            "aside",
            "form",
            "fieldset",
            "legend",
        ]
    },
}
_NESTING_CAP = 12  # deeper blockquotes/lists are unwrapped: no 500-column ">>>>" prefixes
_QUOTE_CLASSES = frozenset(
    {"gmail_quote", "gmail_quote_container", "yahoo_quoted", "protonmail_quote", "moz-cite-prefix"}
)
_ATTR_CLASSES = frozenset({"gmail_attr", "moz-cite-prefix"})
_QUOTE_IDS = frozenset({"divrplyfwdmsg", "appendonsend", "mail-editor-reference-message-container"})
_BORDER_TOP = re.compile(r"border-top\s*:\s*solid")
_BREAK = "<p>"  # a paragraph break for html2text (identity-compared: one shared object)
_LINE = "<br>"  # a line break (identity-compared too)
_TEXT_CAP = 300  # characters of an anchor's text kept for the link list


@dataclass(slots=True)
class _Open:
    """One open element on the stack."""

    tag: str
    close: str = ""  # markup to emit when it closes
    drop: bool = False  # this element starts a dropped subtree
    anchor: _Anchor | None = None
    attribution: bool = False
    depth_kind: str = ""  # "bq" / "list" (counted against the nesting cap) / "pre"


@dataclass(slots=True)
class _Anchor:
    href: str
    text: list[str] = field(default_factory=list)
    size: int = 0


@dataclass
class Prepared:
    """Result of the first pass: small escaped HTML for html2text plus the links it referenced."""

    html: str
    links: tuple[Link, ...]


def _classes(attrs: dict[str, str]) -> set[str]:
    return set(attrs.get("class", "").lower().split())


class _Preparer(HTMLParser):
    """Streams hostile HTML into clean HTML; one instance per message (not thread-shared)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[_Open] = []
        self.counts: dict[str, int] = {}
        self.dropping = 0
        self.anchors: list[_Anchor] = []
        self.links = LinkTable()
        self.in_quote = False
        self.bq_depth = 0
        self.list_depth = 0
        self.pre_depth = 0

    # -- stack -------------------------------------------------------------------------------
    def _push(self, entry: _Open) -> None:
        self.stack.append(entry)
        self.counts[entry.tag] = self.counts.get(entry.tag, 0) + 1
        if entry.drop:
            self.dropping += 1

    def _pop(self) -> None:
        entry = self.stack.pop()
        self.counts[entry.tag] -= 1
        if entry.drop:
            self.dropping -= 1
            return
        if entry.anchor is not None:
            if self.anchors and self.anchors[-1] is entry.anchor:
                self.anchors.pop()
            text = "".join(entry.anchor.text)
            suffix = self.links.add(entry.anchor.href, text, quoted=self.in_quote)
            if suffix:
                self._text(suffix, anchor_text=False)
        if entry.attribution:
            self.out.append(ATTR_CLOSE)
        if entry.depth_kind == "bq":
            self.bq_depth -= 1
        elif entry.depth_kind == "list":
            self.list_depth -= 1
        elif entry.depth_kind == "pre":
            self.pre_depth -= 1
        if entry.close is _BREAK:
            self._break()
        elif entry.close is _LINE:
            self._line()
        elif entry.close:
            self.out.append(entry.close)

    def _close_implicit(self, tag: str | None) -> None:
        """``<head>`` ends at the first body element or text, ``<title>`` at any tag."""
        while self.stack and self.stack[-1].drop:
            top = self.stack[-1].tag
            if (top == "title" and tag is not None) or (
                top == "head" and (tag is None or tag not in _HEAD_OK)
            ):
                self._pop()
            else:
                return

    # -- output ------------------------------------------------------------------------------
    def _marker(self, sentinel: str) -> None:
        """A sentinel alone on its own line, found again in html2text's output."""
        self._break()
        self.out.append(sentinel)
        self._break()

    def _break(self) -> None:
        """A paragraph break: as text where html2text's prefixes are not needed, else a tag."""
        if self.bq_depth or self.list_depth or self.pre_depth:
            if not self.out or self.out[-1] is not _BREAK:
                self.out.append(_BREAK)
        elif not self.out or self.out[-1] is not PARA:
            self.out.append(PARA)

    def _line(self) -> None:
        self.out.append(_LINE if self.bq_depth or self.list_depth or self.pre_depth else LINE)

    def _text(self, data: str, *, anchor_text: bool = True) -> None:
        self.out.append(data.translate(TEXT_ESCAPE))
        if anchor_text and self.anchors:
            anchor = self.anchors[-1]
            if anchor.size < _TEXT_CAP:
                anchor.text.append(data)
                anchor.size += len(data)

    # -- HTMLParser callbacks ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            self._close_implicit(tag)
        attr = {k: (v or "") for k, v in attrs}
        if self.dropping:
            if tag not in VOID:
                self._push(_Open(tag))
            return
        if tag in VOID:
            self._void(tag, attr)
            return
        if is_hidden(tag, attr):
            self._push(_Open(tag, drop=True))
            return
        entry = _Open(tag)
        classes = _classes(attr) if "class" in attr else set()
        if not self.in_quote and (
            classes & _QUOTE_CLASSES
            or attr.get("id", "").lower() in _QUOTE_IDS
            or (tag == "blockquote" and attr.get("type", "").lower() == "cite")
        ):
            self.in_quote = True
            self._marker(QUOTE_START)
        if tag == "div" and _BORDER_TOP.search(attr.get("style", "").lower()):
            self._marker(BORDER)
        emitted = _EMIT.get(tag)
        if emitted == "blockquote":
            if self.bq_depth >= _NESTING_CAP:
                emitted = "div"
            else:
                self.bq_depth += 1
                entry.depth_kind = "bq"
        elif emitted in ("ul", "ol"):
            if self.list_depth >= _NESTING_CAP:
                emitted = "div"
            else:
                self.list_depth += 1
                entry.depth_kind = "list"
        elif emitted == "pre":
            self.pre_depth += 1
            entry.depth_kind = "pre"
        if emitted in ("p", "div"):
            # html2text only needs a paragraph break here; one "<p>" per run of block tags
            # keeps deeply nested layout markup cheap for it.
            self._break()
            entry.close = _BREAK
        elif emitted:
            start = attr.get("start", "").strip()
            if emitted == "ol" and start.isdigit() and len(start) < 6:
                self.out.append(f'<ol start="{start}">')
            else:
                self.out.append(f"<{emitted}>")
            entry.close = f"</{emitted}>"
        elif tag in ("td", "th"):
            entry.close = " "
        elif tag == "tr":
            entry.close = _LINE
        if classes & _ATTR_CLASSES:
            entry.attribution = True
            self.out.append(ATTR_OPEN)
        if tag == "a":
            entry.anchor = _Anchor(attr.get("href", ""))
            self.anchors.append(entry.anchor)
        self._push(entry)

    def _void(self, tag: str, attr: dict[str, str]) -> None:
        if tag == "br":
            self._line()
        elif tag == "hr":
            self._marker(RULE)
        elif tag in ("img", "image"):
            alt = sanitize_line(attr.get("alt", ""), limit=200)
            if alt and not is_tracking_image(attr):
                self._text(alt)
        elif tag == "input" and attr.get("type", "").lower() in ("button", "submit"):
            value = sanitize_line(attr.get("value", ""), limit=200)
            if value:
                self._text(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<div/>" is not self-closing in HTML, but treating it as empty is the safe reading.
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.counts.get(tag):
            return
        while self.stack:
            top = self.stack[-1].tag
            self._pop()
            if top == tag:
                return

    def handle_data(self, data: str) -> None:
        if self.dropping:
            if data.strip():
                self._close_implicit(None)
            if self.dropping:
                return
        self._text(data)

    def close_all(self) -> None:
        self.close()
        while self.stack:
            self._pop()


def prepare(html: str) -> Prepared:
    """Clean ``html`` (already sanitized) into escaped, balanced HTML for html2text."""
    parser = _Preparer()
    parser.feed(defuse(html.translate(STRIP_SENTINELS)))
    parser.close_all()
    return Prepared("".join(parser.out), parser.links.links)
