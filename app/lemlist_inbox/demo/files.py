"""The stand-in's attachment files: ``GET /files/{id}``, with the knobs the download tests need.

lemlist's attachments carry a ``url``; where the file lives is not documented, and a signed
storage URL needs no API key, so the route answers without one (and records whether the
client sent one anyway: ``RequestRecord.authorized``, how the tests check that the key never
goes to a host other than the API's). The demo data's attachment URLs are relative
(``/files/fil_…``), so they stay valid whatever port the stand-in listens on.

A file's content is made up from its id and size (the same bytes every time), streamed in
chunks. Files are known from the threads served (``remember``), from ``add`` (tests), or for
a small dataset by looking through every thread once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["FILES_PREFIX", "DemoFile", "FileShelf"]

#: Path of the file route; demo attachment URLs are ``FILES_PREFIX + id``.
FILES_PREFIX = "/files/"
CHUNK = 64 * 1024
#: Up to this many conversations, an unknown file id is looked for in every thread.
SCAN_LIMIT = 5_000


@dataclass(frozen=True)
class DemoFile:
    """One servable file. ``declared`` is the Content-Length sent: ``"honest"``, ``"none"``
    (no length; the body ends when the connection closes), or a number (a lie)."""

    file_id: str
    size: int
    content_type: str = "application/octet-stream"
    declared: str | int = "honest"

    def chunks(self) -> Iterator[bytes]:
        pattern = (f"{self.file_id} demo attachment content\n").encode()
        block = (pattern * (CHUNK // len(pattern) + 1))[:CHUNK]
        left = self.size
        while left > 0:
            piece = block[: min(left, CHUNK)]
            left -= len(piece)
            yield piece


class FileShelf:
    """The files the stand-in can serve, by id (thread-safe: the server is threaded)."""

    def __init__(self, scan: Callable[[], Iterable[list[Any]]] | None = None) -> None:
        self._files: dict[str, DemoFile] = {}
        self._lock = threading.Lock()
        self._scan = scan
        self._scanned = False
        #: Seconds to wait between two chunks (progress and cancel tests).
        self.chunk_delay = 0.0

    def add(self, file: DemoFile) -> None:
        with self._lock:
            self._files[file.file_id] = file

    def remember(self, messages: Iterable[Any]) -> None:
        """Learn the files of a thread being served (its attachments with a demo URL)."""
        for message in messages:
            attachments = message.get("attachments") if isinstance(message, dict) else None
            if not isinstance(attachments, list):
                continue
            for attachment in attachments:
                if not isinstance(attachment, dict):
                    continue
                url = attachment.get("url")
                size = attachment.get("size")
                if not isinstance(url, str) or not url.startswith(FILES_PREFIX) or not isinstance(size, int):
                    continue
                kind = attachment.get("contentType") or attachment.get("type") or "application/octet-stream"
                file_id = url[len(FILES_PREFIX) :]
                with self._lock:
                    self._files.setdefault(file_id, DemoFile(file_id, size, str(kind)))

    def get(self, file_id: str) -> DemoFile | None:
        with self._lock:
            found = self._files.get(file_id)
        if found is None and self._scan is not None and not self._scanned:
            self._scanned = True
            for messages in self._scan():
                self.remember(messages)
            with self._lock:
                found = self._files.get(file_id)
        return found
