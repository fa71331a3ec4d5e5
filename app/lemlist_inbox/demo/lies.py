"""Servers that lie: answers built to exhaust or crash a client, one named mode each.

Each mode is what a broken or hostile server could send for the request it gets
(``Faults.lie``): a client must end each one with a clear one-line error or a
complete, de-duplicated result, within seconds. The modes:

* ``gzip-bomb`` / ``deflate-bomb``: 1 MB on the wire that inflates to 1 GB.
* ``endless-pages``: ``totalPages`` of a billion, ``nextPage`` always 1, and every page
  number answers page 1 again. ``bare-array``: the same, as a bare JSON array.
* ``fresh-pages``: a billion pages promised, each full of new ids, forever.
* ``endless-thread``: a thread that promises a billion messages and brings new ones on
  every ``skip``; ``repeat-thread``: the same messages whatever ``skip`` says.
* ``retry-after-day`` / ``retry-after-date``: 429 with ``Retry-After: 86400`` / a date
  in 2099.
* ``deep-json``: a 200 holding JSON nested 100,000 deep.
* ``bad-utf8``: one invalid UTF-8 byte in one conversation, a lone surrogate escape
  in another; ``far-dates``: years 9999 and 0001 and mixed offsets;
  ``many-users``: 10,000 team users in every conversation's ``users[]``.
* ``echo-key``: a 400 whose text echoes the API key, split by zero-width spaces.
* ``bad-ids``: conversations whose ``contactId`` is ``..``, ``.``, empty or holds ``/``.
"""

from __future__ import annotations

import functools
import json
import struct
import zlib
from collections.abc import Callable
from typing import Any

MODES = (
    "gzip-bomb",
    "deflate-bomb",
    "endless-pages",
    "bare-array",
    "fresh-pages",
    "endless-thread",
    "repeat-thread",
    "retry-after-day",
    "retry-after-date",
    "deep-json",
    "bad-utf8",
    "far-dates",
    "many-users",
    "echo-key",
    "bad-ids",
)

BOMB_SIZE = 1 << 30


@functools.cache
def bomb(wbits: int, total: int = BOMB_SIZE) -> bytes:
    """A valid gzip (``wbits`` 31) or zlib (15) stream of ``total`` zero bytes, about 1/1000 the size.

    Built in a second, not by compressing a gigabyte: after a full flush the compressor
    starts afresh, so every further megabyte of zeros compresses to the same bytes,
    and only the trailer (checksum, length) needs the real totals.
    """
    chunk = 1 << 20
    zeros = bytes(chunk)
    count = total // chunk
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    first = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    repeat = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(zeros) + packer.flush()
    crc, adler = 0, 1
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
        adler = zlib.adler32(zeros, adler)
    if wbits > 15:
        tail = tail[:-8] + struct.pack("<II", crc, total & 0xFFFFFFFF)
    else:
        tail = tail[:-4] + struct.pack(">I", adler)
    return first + repeat * (count - 2) + tail


class Answer:
    """A lie's response: status, body bytes, headers (the server adds the rest)."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = "application/json; charset=utf-8"


def _json(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def _page(items: list[Any], pagination: dict[str, Any] | None) -> bytes:
    return _json({"data": items, "pagination": pagination or {}})


#: (page number, limit) -> the page's items and its honest pagination.
PageSource = Callable[[int, int], tuple[list[dict[str, Any]], dict[str, Any]]]


def answer(
    mode: str,
    path: str,
    query: dict[str, str],
    page_items: PageSource,
    messages: Callable[[str], list[Any]],
    api_key: str,
) -> Answer | None:
    """The lie for this request, or None to answer normally."""
    thread = path.startswith("/api/inbox/")
    inbox = path == "/api/inbox"
    limit = max(1, min(100, int(query.get("limit") or 100)))
    number = max(1, int(query.get("page") or 1)) if inbox else 1
    if mode in ("gzip-bomb", "deflate-bomb") and (inbox or thread):
        coding = "gzip" if mode == "gzip-bomb" else "deflate"
        return Answer(200, bomb(31 if coding == "gzip" else 15), {"Content-Encoding": coding})
    if mode == "retry-after-day":
        return Answer(429, b"Too many requests", {"Retry-After": "86400"})
    if mode == "retry-after-date":
        return Answer(429, b"Too many requests", {"Retry-After": "Thu, 01 Jan 2099 00:00:00 GMT"})
    if mode == "echo-key":
        key = "\u200b".join(api_key)
        return Answer(400, f"Bad request: unknown key {key} for this team".encode())
    if mode == "deep-json" and (inbox or thread):
        return Answer(200, b"[" * 100_000 + b"]" * 100_000)
    if inbox:
        return _inbox_lie(mode, number, limit, page_items)
    if thread:
        return _thread_lie(mode, path, query, limit, messages)
    return None


def _inbox_lie(mode: str, number: int, limit: int, page_items: PageSource) -> Answer | None:
    promise = {"totalItems": 10**9 * limit, "totalPages": 10**9, "currentPage": 1, "nextPage": 1}
    if mode == "endless-pages":
        return Answer(200, _page(page_items(1, limit)[0], promise))
    if mode == "bare-array":
        return Answer(200, _json(page_items(1, limit)[0]))
    if mode == "fresh-pages":
        base = page_items(1, 1)[0][0]
        fresh = [
            dict(base, _id=f"ibx_fresh_{number}_{i}", contactId=f"ctc_fresh_{number}_{i}")
            for i in range(limit)
        ]
        return Answer(200, _page(fresh, dict(promise, currentPage=number)))
    items, honest = page_items(number, limit)
    if mode == "bad-utf8" and number == 1 and len(items) >= 3:
        items[1] = dict(items[1], contact=dict(items[1].get("contact") or {}, fullName="BAD_BYTE_HERE"))
        items[2] = dict(
            items[2], contact=dict(items[2].get("contact") or {}, fullName="Lone \ud800 surrogate")
        )
        body = _page(items, honest).replace(b"BAD_BYTE_HERE", b"Bad \xff byte")
        return Answer(200, body)
    if mode == "far-dates" and number == 1 and len(items) >= 4:
        items[0] = dict(items[0], lastActivityAt="9999-12-31T23:59:59Z")
        items[1] = dict(items[1], lastActivityAt="0001-01-01T00:00:00+05:00")
        items[2] = dict(items[2], lastActivityAt="2024-06-01T12:00:00+14:00")
        items[3] = dict(items[3], lastActivityAt="2024-06-01T00:30:00-11:00")
        return Answer(200, _page(items, honest))
    if mode == "many-users":
        crowd = [{"userId": f"usr_crowd_{i:05d}", "sender": False, "read": True} for i in range(10_000)]
        items = [dict(item, users=crowd + list(item.get("users") or [])) for item in items]
        return Answer(200, _page(items, honest))
    if mode == "bad-ids" and number == 1 and len(items) >= 5:
        for index, bad in enumerate(("..", ".", "", "a/../../team", "x?markAsRead=true")):
            contact = dict(items[index].get("contact") or {}, _id=bad)
            items[index] = dict(items[index], contactId=bad, contact=contact)
        return Answer(200, _page(items, honest))
    return None


def _thread_lie(
    mode: str, path: str, query: dict[str, str], limit: int, messages: Callable[[str], list[Any]]
) -> Answer | None:
    contact = path.rsplit("/", 1)[-1]
    skip = max(0, int(query.get("skip") or 0))
    promise = {"totalItems": 10**9, "totalPages": 10**9, "currentPage": 1, "nextPage": 1}
    try:
        served = messages(contact)
    except KeyError:
        return None
    if not served:
        return None
    if mode == "repeat-thread":
        return Answer(200, _page(served[:limit], promise))
    if mode == "endless-thread":
        base = served[0]
        fresh = [dict(base, _id=f"msg_fresh_{skip + i}") for i in range(limit)]
        return Answer(200, _page(fresh, promise))
    return None
