"""A tiny scripted lemlist stand-in for CLI tests: exact pages, held pages, hostile strings.

The demo server generates its data; these tests need to say precisely what a page
holds (ids carrying terminal escapes) and *when* it is answered (a page held until the
test has read the first rows, to prove they were printed before it). Real HTTP on
loopback, standard library only.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

ESC = "\x1b"
#: One of each control sequence a server could hide in an id or a name.
OSC_TITLE = f"{ESC}]0;pwned title\x07"
OSC52 = f"{ESC}]52;c;cm0gLXJmIH4vKg==\x07"
DCS = f"{ESC}P1$qm{ESC}\\"
C1_CSI_CLEAR = "\x9b2J"
HOSTILE = OSC_TITLE + OSC52 + DCS + C1_CSI_CLEAR + "\u202e\u200b"


def conversation(
    index: int, *, user_id: str, contact_id: str | None = None, name: str | None = None
) -> dict[str, Any]:
    cid = contact_id or f"ctc_scripted{index:08d}"
    return {
        "_id": f"ibx_scripted{index:08d}",
        "contactId": cid,
        "contact": {"_id": cid, "fullName": name or f"Person {index}", "email": f"p{index}@example.com"},
        "users": [{"userId": user_id, "sender": True, "read": index % 2 == 0}],
        "channels": ["email"],
        "lastActivityAt": f"2024-12-{(index % 28) + 1:02d}T10:{index % 60:02d}:00.000Z",
        "createdAt": "2024-11-01T10:00:00.000Z",
    }


def message(index: int, contact_id: str) -> dict[str, Any]:
    return {
        "_id": f"act_scripted{index:08d}",
        "type": "emailsReplied",
        "createdAt": f"2024-12-0{index + 1}T10:00:00.000Z",
        "fromEmail": "p@example.com",
        "leadEmail": "p@example.com",
        "contactId": contact_id,
        "subject": "Hello",
        "message": "<p>Hi</p>",
    }


@dataclass
class Script:
    """What the server answers; mutable while it runs (the handler reads it per request)."""

    users: list[dict[str, Any]] = field(default_factory=list)
    pages: list[list[dict[str, Any]]] = field(default_factory=list)
    threads: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: page number -> event the answer waits for (set it to let the page through)
    hold: dict[int, threading.Event] = field(default_factory=dict)
    #: (status, text body) answered to every request instead, when set
    error: tuple[int, str] | None = None
    served: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def page_body(self, number: int, per_page: int) -> dict[str, Any]:
        total = sum(len(p) for p in self.pages)
        items = self.pages[number - 1] if 1 <= number <= len(self.pages) else []
        return {
            "data": items,
            "pagination": {
                "totalItems": total,
                "currentPage": number,
                "nextPage": number + 1 if number < len(self.pages) else None,
                "previousPage": number - 1 if number > 1 else None,
                "perPage": per_page,
                "totalPages": len(self.pages) if self.pages else math.ceil(total / max(1, per_page)),
            },
        }


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        script = self.server.script
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query))
        path = unquote(parts.path)
        with script.lock:
            script.served.append(self.path)
        if script.error is not None:
            status, text = script.error
            self._send(status, text.encode("utf-8"), "text/plain; charset=utf-8")
            return
        if path == "/api/team":
            self._json({"_id": "tea_1", "users": script.users})
        elif path == "/api/inbox":
            number = int(query.get("page", "1"))
            gate = script.hold.get(number)
            if gate is not None:
                gate.wait(60)
            self._json(script.page_body(number, int(query.get("limit", "100"))))
        elif path.startswith("/api/inbox/"):
            contact = path.removeprefix("/api/inbox/")
            messages = script.threads.get(contact)
            if messages is None:
                self._send(404, b"Contact not found", "text/plain")
            else:
                self._json({"data": messages, "pagination": {"totalItems": len(messages)}})
        else:
            self._send(404, b"not found", "text/plain")

    def _json(self, payload: Any) -> None:
        self._send(200, json.dumps(payload, ensure_ascii=True).encode("ascii"), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    script: Script


@contextmanager
def scripted_server(script: Script) -> Iterator[str]:
    """Serve ``script`` on 127.0.0.1; yields the base URL (``http://127.0.0.1:PORT/api``)."""
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.script = script
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/api"
    finally:
        for gate in script.hold.values():
            gate.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
