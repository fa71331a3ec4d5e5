"""Make hostile markup safe for CPython's HTMLParser to parse in linear time."""

from __future__ import annotations

import re

# A markup construct HTMLParser can parse without looking past its ">": quoted attribute values
# may hold ">" but no "<", so every match ends before the next "<" (keeps the scan linear).
_CONSTRUCT = re.compile(r"""<(?:/?[a-zA-Z][^<>"']*(?:(?:"[^"<]*"|'[^'<]*')[^<>"']*)*|![^<>]*|\?[^<>]*)>""")


def defuse(html: str) -> str:
    """Escape every ``<`` that does not open a complete construct, and drop comments.

    CPython's HTMLParser rescans from an incomplete construct ("<a<a<a…", an unterminated
    quote or comment) to the end of the input for each one: quadratic, minutes for a hostile
    100 kB. After this pass every "<" it sees starts a construct that ends at the next ">".
    An unterminated comment hides the rest of the input, as it does in a browser.
    """
    out: list[str] = []
    pos, size = 0, len(html)
    while pos < size:
        lt = html.find("<", pos)
        if lt < 0:
            out.append(html[pos:])
            break
        out.append(html[pos:lt])
        if html.startswith("<!--", lt):
            end = html.find("-->", lt + 4)
            if end < 0:
                break
            out.append(" ")
            pos = end + 3
            continue
        match = _CONSTRUCT.match(html, lt)
        if match:
            out.append(match.group())
            pos = match.end()
        else:
            out.append("&lt;")
            pos = lt + 1
    return "".join(out)
