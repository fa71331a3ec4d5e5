"""Reading one answer's body with a bound on what it inflates to.

A server controls two sizes: what it sends and what that decodes to. gzip inflates
about a thousandfold, so a 1 MB answer can decode to a gigabyte, and httpx's own
decoders inflate each network chunk without a limit. So the client streams the raw
bytes and inflates them here with ``zlib``'s ``max_length``: at most ``limit + 1``
decoded bytes ever exist, whatever the ratio. We ask only for the encodings we can
bound this way (``ACCEPT_ENCODING``); an answer in another one is refused, not decoded.

An answer (a page, a thread page) that goes over the limit is an error, never
retried: the same request would bring the same flood. An error page is only ever
shown as one cut line, so it is read up to a small limit and the rest is ignored.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

#: Most decoded bytes one answer may hold: far above a real page of 100 conversations
#: (about 100 kB) or 100 messages with HTML bodies (a few MB).
BODY_LIMIT = 32 * 1024 * 1024

#: Most decoded bytes read from an error answer: only its first line is ever shown.
ERROR_BODY_LIMIT = 64 * 1024

#: What we tell the server we can decode; each of these is inflated with a bound.
ACCEPT_ENCODING = "gzip, deflate"


class BodyTooLarge(Exception):
    """The decoded body went over the limit; ``limit`` is the bound that was hit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"body over {limit} bytes")
        self.limit = limit


class UnsupportedEncoding(Exception):
    """The answer uses a content encoding we did not ask for and will not decode."""

    def __init__(self, coding: str) -> None:
        super().__init__(coding)
        self.coding = coding


class _Inflater:
    """One ``gzip`` or ``deflate`` layer, inflating at most ``room`` bytes per call."""

    def __init__(self, coding: str) -> None:
        self._coding = coding
        # deflate is sent both zlib-wrapped (as the RFC says) and raw (as IIS did):
        # try the wrapper first, fall back to raw on the first failure, as browsers do.
        wbits = 16 + zlib.MAX_WBITS if coding == "gzip" else zlib.MAX_WBITS
        self._inflate = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes, room: int) -> bytes:
        """Up to ``room + 1`` decoded bytes of ``data`` (and of output zlib still holds)."""
        out = bytearray()
        while len(out) <= room:
            if self._inflate.eof:
                # Another gzip member may follow (concatenated gzip files are valid gzip);
                # anything after the end of a deflate stream is ignored, as httpx does.
                data = self._inflate.unused_data + data
                if self._coding != "gzip" or not data:
                    break
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                chunk = self._inflate.decompress(data, room + 1 - len(out))
            except zlib.error:
                if not (self._first and self._coding == "deflate"):
                    raise
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                continue
            self._first = False
            out += chunk
            data = self._inflate.unconsumed_tail
            if not chunk and not data and not self._inflate.eof:
                break
        return bytes(out)


def _inflater(content_encoding: str) -> _Inflater | None:
    """The decoder for a ``Content-Encoding`` header; None for identity."""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return None
    if len(codings) > 1 or codings[0] not in ("gzip", "x-gzip", "deflate"):
        raise UnsupportedEncoding(", ".join(codings)[:40])
    return _Inflater("gzip" if codings[0] == "x-gzip" else codings[0])


async def read_bounded(
    chunks: AsyncIterator[bytes], content_encoding: str, limit: int, *, cut: bool = False
) -> bytes:
    """The decoded body from raw ``chunks``, at most ``limit`` bytes.

    Over the limit: ``BodyTooLarge``, or with ``cut`` the first ``limit`` bytes (the
    rest is not read). A body that fails to inflate raises ``zlib.error``.
    """
    inflater = _inflater(content_encoding)
    body = bytearray()
    async for raw in chunks:
        if inflater is None:
            body += raw[: limit + 1 - len(body)]
        else:
            body += inflater.feed(raw, limit - len(body))
        if len(body) > limit:
            if cut:
                return bytes(body[:limit])
            raise BodyTooLarge(limit)
    return bytes(body)
