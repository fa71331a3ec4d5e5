"""What a mail client would not show: hidden elements and tracking images.

Hidden preheaders, ``display:none`` blocks, lemlist's reply-tracking ``<span summary=…>`` and
1x1 pixels are invisible in every mail client; shown as text they are noise at best and, for a
pixel's alt text ("logo"), misleading. No image is ever fetched: at most its alt text is shown.
"""

from __future__ import annotations

import re

# Elements whose content is never visible text in a mail reader.
DROP = frozenset(
    [
        "script",
        "style",
        "head",
        "title",
        "template",
        "svg",
        "math",
        "object",
        "iframe",
        "embed",
        "applet",
        "audio",
        "video",
        "canvas",
        "select",
        "datalist",
        "xml",
        "noembed",
        "noframes",
        "frameset",
        "map",
    ]
)
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all|opacity\s*:\s*0(?:\.0*)?\s*(?:;|$)"
)
_PIXEL_STYLE = re.compile(r"(?:width|height)\s*:\s*[01](?:\.0*)?px")
_TRACK_SRC = re.compile(r"/track/|/open\?|/o/|/wf/open|pixel|beacon", re.IGNORECASE)
_SIZE = re.compile(r"^\s*([0-9]+)")


def _pixel_size(value: str | None) -> int | None:
    if value is None:
        return None
    match = _SIZE.match(value)
    return int(match.group(1)) if match else None


def is_tracking_image(attrs: dict[str, str]) -> bool:
    """1x1 (or 0x0) images and images from tracking URLs: never shown, not even their alt text."""
    src = attrs.get("src", "").strip()
    if src.lower().startswith("data:") or _TRACK_SRC.search(src):
        return True
    width, height = _pixel_size(attrs.get("width")), _pixel_size(attrs.get("height"))
    if (width is not None and width <= 1) or (height is not None and height <= 1):
        return True
    return bool(_PIXEL_STYLE.search(attrs.get("style", "").lower()))


def is_hidden(tag: str, attrs: dict[str, str]) -> bool:
    """Elements a mail client does not show: dropped with all their content."""
    if tag in DROP or "hidden" in attrs:
        return True
    if tag == "span" and "summary" in attrs:  # lemlist's reply-tracking marker
        return True
    if attrs.get("aria-hidden", "").lower() == "true" and tag in ("div", "span", "table"):
        style = attrs.get("style", "").lower()
        if "max-height" in style or "font-size:0" in style.replace(" ", ""):
            return True
    style = attrs.get("style", "")
    return bool(style and _HIDDEN_STYLE.search(style.lower()))
