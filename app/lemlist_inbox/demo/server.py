"""A real HTTP server on loopback that behaves like lemlist's Inbox API.

The client and the TUI are tested over real sockets (timeouts, resets, keep-alive and
concurrency behave as in production), not against a mocked transport. Standard library
only: ``ThreadingHTTPServer`` in a daemon thread, so it starts in milliseconds, needs
nothing installed, and ships in the wheel for ``lemlist-inbox --demo``.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import json
import math
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from lemlist_inbox.demo import lies
from lemlist_inbox.demo.data import Dataset
from lemlist_inbox.demo.faults import Fault, Faults
from lemlist_inbox.demo.files import FILES_PREFIX, SCAN_LIMIT, DemoFile, FileShelf
from lemlist_inbox.demo.junk import junk_item, odd_item
from lemlist_inbox.demo.outgoing import Outgoing
from lemlist_inbox.demo.ratelimit import SlidingWindowLimiter, Verdict

DEMO_API_KEY = "demo-key"
SEND_CHANNELS = ("email", "linkedin", "whatsapp")
MAX_LIMIT = 100
DEFAULT_LIMIT = 100
AUTH_ERROR = "The authentication you supplied is incorrect"
HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Sign in - Wi-Fi</title></head><body>"
    "<h1>Welcome!</h1><p>Please sign in to continue to the internet.</p>"
    '<form action="/login"><input name="user"><button>Sign in</button></form></body></html>'
)


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it; ``status`` 0 means the connection was dropped."""

    time: float  # time.monotonic() at arrival
    method: str
    path: str  # without the query string, e.g. "/api/inbox"
    query: dict[str, str]
    status: int
    #: The request carried an ``Authorization`` header (whatever its value).
    authorized: bool = False


@dataclass(frozen=True)
class WriteRecord:
    """One write (POST/PATCH/DELETE) as the server received it, and whether it acted on it.

    ``processed`` is True when the server did the work (the message joined the thread,
    the draft changed), even if the answer was then lost (``Faults.write_timeouts``):
    tests count sends here, never on the client's side.
    """

    time: float
    method: str
    path: str
    query: dict[str, str]
    body: Any  # the JSON body as parsed (None when absent or unreadable)
    status: int  # what the server meant to answer (0: refused unread by a fault)
    processed: bool


#: Most bytes one request body may hold here: far above any reply or draft.
MAX_WRITE_BODY = 2 * 1024 * 1024
WRITE_METHODS = frozenset({"POST", "PATCH", "DELETE"})


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> _Response:
    return _Response(status, message.encode(), "text/plain; charset=utf-8", headers or {})


def _json(payload: Any) -> _Response:
    """UTF-8 JSON; lone surrogates (hostile data) go out as ``\\udXXX`` escapes, as Node's would."""
    try:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        body = json.dumps(payload, ensure_ascii=True).encode("ascii")
    return _Response(200, body)


class _BadParam(Exception):
    """A query parameter that is not a usable number: answered 400."""


def _int_param(query: dict[str, str], name: str, default: int, minimum: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _BadParam(f"Bad params ({name} must be an integer)") from None
    if value < minimum:
        raise _BadParam(f"Bad params ({name} must be >= {minimum})")
    return value


def _pagination(total: int, page: int, per_page: int, has_next: bool) -> dict[str, Any]:
    """The documented ``pagination`` object, key order as in lemlist's example."""
    return {
        "totalItems": total,
        "currentPage": page,
        "nextPage": page + 1 if has_next else None,
        "previousPage": page - 1 if page > 1 else None,
        "perPage": per_page,
        "totalPages": math.ceil(total / per_page) if per_page else 0,
    }


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 makes bursts of concurrent connects wait for
    # a SYN retry (1 s), which would show up as phantom latency in the benchmarks.
    request_queue_size = 128
    owner: DemoServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep test output clean: dropped connections are normal, other errors are recorded."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError):
            self.owner.errors.append(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects from a real API
    server_version = "lemlist-demo"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection frees its thread after this
    server: _HTTPServer
    sent_status = 0  # status line already written, for the log when the body fails
    #: This request's log entry until it is written (status still 0), then None.
    unlogged: RequestRecord | None = None

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without NODELAY, Nagle + delayed ACK
        # add ~40 ms to every response, which would skew the benchmarks.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        self.server.owner._track(self.connection, add=False)

    def _dispatch(self) -> None:
        self.server.owner._handle(self)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: requests go to ``DemoServer.log``, not to stderr."""


class DemoServer:
    """lemlist's Inbox API stand-in on 127.0.0.1 (see the package docstring for the API)."""

    def __init__(
        self,
        *,
        conversations: int = 300,
        seed: int = 7,
        api_key: str = DEMO_API_KEY,
        users: int = 3,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Faults | None = None,
        hostile: bool = False,
        reference: datetime | None = None,
        dataset: Dataset | None = None,
    ) -> None:
        self.api_key = api_key
        self.host = host
        self.port = port
        self.faults = faults if faults is not None else Faults()
        self.dataset = dataset or Dataset(conversations, seed, users, reference=reference, hostile=hostile)
        self.log: list[RequestRecord] = []
        #: Every write received, in order (see ``WriteRecord``; ``sent`` filters the sends).
        self.writes: list[WriteRecord] = []
        self.outgoing = Outgoing(self.dataset, seed=seed)
        self._seed_drafts()
        #: Unexpected exceptions raised while answering (should stay empty; tests check).
        self.errors: list[BaseException] = []
        self._log_lock = threading.Lock()
        self._limiter = SlidingWindowLimiter()
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        self._started_at = time.monotonic()
        #: Attachment files served at ``/files/{id}`` (``demo.files``); tests add their own.
        self.files = FileShelf(self._every_thread)

    def _every_thread(self) -> list[list[Any]]:
        """Every thread, for the file shelf to find an attachment it was not shown (small data only)."""
        if len(self.dataset) > SCAN_LIMIT:
            return []
        return [self.dataset.thread(c["contactId"]) for c in self.dataset.conversations if c.get("contactId")]

    def _seed_drafts(self) -> None:
        """One draft written in lemlist's web app, on Victoire's example conversation."""
        contact = "ctc_wfKeM8EmiTikud7QE"
        try:
            self.dataset.conversation(contact)
        except KeyError:  # built without lemlist's examples
            return
        self.outgoing.seed_draft(
            contact,
            str(self.dataset.users[0]["userId"]),
            subject="Re: Have you heard about Christophe Opoix ?",
            content="<p>Hi Victoire,</p><p>Thanks a lot! Would Thursday 10:00 work for a call?</p>",
        )

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> DemoServer:
        """Bind and serve in a daemon thread; returns self so ``DemoServer().start()`` chains."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = int(httpd.server_address[1])
        self._httpd = httpd
        self._started_at = time.monotonic()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="lemlist-demo", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections (so clients see "server gone")."""
        httpd = self._httpd
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        with self._conn_lock:
            open_connections = list(self._connections)
            self._connections.clear()
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    @property
    def running(self) -> bool:
        return self._httpd is not None

    # ------------------------------------------------------------------ test helpers

    def clear_log(self) -> None:
        with self._log_lock:
            self.log.clear()
            self.writes.clear()

    def requests(self, path: str | None = None) -> list[RequestRecord]:
        """A snapshot of the log, optionally only requests whose path starts with ``path``."""
        with self._log_lock:
            records = list(self.log)
        return [r for r in records if path is None or r.path.startswith(path)]

    def sent(self, channel: str | None = None) -> list[WriteRecord]:
        """The sends the server acted on (``POST /api/inbox/{channel}``), oldest first."""
        with self._log_lock:
            records = list(self.writes)
        return [
            r
            for r in records
            if r.processed
            and r.method == "POST"
            and r.path in {f"/api/inbox/{c}" for c in ((channel,) if channel else SEND_CHANNELS)}
        ]

    def add_activity(self, count: int = 1, *, new: int | None = None) -> list[str]:
        """New activity now: ``count`` conversations jump to the top, unread (see Dataset)."""
        now_ms = self.dataset.reference_ms + int((time.monotonic() - self._started_at) * 1000)
        return self.dataset.add_activity(count, new=new, now_ms=now_ms)

    def reset_rate_limit(self) -> None:
        """Forget the sliding windows (a clean slate between test phases)."""
        self._limiter.forget()

    # ------------------------------------------------------------------ request handling

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._conn_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _handle(self, h: _Handler) -> None:
        arrival = time.monotonic()
        split = urlsplit(h.path)
        path = unquote(split.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        status = 0
        h.unlogged = RequestRecord(arrival, h.command, path, query, 0, bool(h.headers.get("Authorization")))
        try:
            status = self._respond(h, h.command, path, query)
        except (BrokenPipeError, ConnectionResetError):
            # The client hung up mid-body (e.g. its read timeout fired on slow_body).
            h.close_connection = True
            status = h.sent_status
        finally:
            self._log(h, status)  # no answer at all (a reset), or the handler failed

    def _log(self, h: _Handler, status: int) -> None:
        """Write the request's log entry once, with its status.

        Called before the answer's headers leave (see ``_send``): a client that has its
        answer must find its request in the log, or a test reading the log right after
        a response races the server thread.
        """
        record, h.unlogged = h.unlogged, None
        if record is not None:
            with self._log_lock:
                self.log.append(dataclasses.replace(record, status=status))

    def _respond(self, h: _Handler, method: str, path: str, query: dict[str, str]) -> int:
        length = int(h.headers.get("Content-Length") or 0)
        if length > MAX_WRITE_BODY:
            h.close_connection = True
            return self._send(h, _text(413, "Payload too large"))
        body = h.rfile.read(length) if length else b""  # read even when refused: keep the connection in sync
        if method != "GET" and method not in WRITE_METHODS:
            return self._send(h, _text(405, "Method not allowed"))
        if path.startswith(FILES_PREFIX):  # attachment storage: no key needed (see demo.files)
            return self._send_file(h, self.files.get(path[len(FILES_PREFIX) :]))
        key = self._key_from(h.headers.get("Authorization"))
        if key is None or key != self.api_key:
            return self._send(h, _text(401, AUTH_ERROR))
        faults = self.faults
        counted = faults.applies_to(path)
        if counted and faults.take_burst():
            verdict = self._limiter.forced(key, faults.max_calls)
        else:
            verdict = self._limiter.check(key, faults.max_calls, faults.period, enforce=faults.rate_limit)
        if not verdict.allowed:
            message = f"Too many requests, retry in {verdict.retry_after} second(s)"
            return self._send(h, _text(429, message, verdict.headers()))
        if faults.latency > 0:
            self._stopping.wait(faults.latency)
        if method in WRITE_METHODS:
            return self._write(h, method, path, query, body, verdict)
        fault, number = faults.next_fault() if counted else (Fault.NONE, 0)
        if number and faults.take_activity(number):
            self.add_activity(faults.activity_count)
        if fault is Fault.RESET:
            self._drop(h, abort=True)
            return 0
        if counted and faults.lie:
            told = lies.answer(faults.lie, path, query, self._page_of, self.dataset.thread, self.api_key)
            if told is not None:
                lie = _Response(told.status, told.body, told.content_type, told.headers)
                lie.headers.update(verdict.headers())
                return self._send(h, lie)
        if fault is Fault.ERROR:
            response = _text(faults.status_for_error, "Internal Server Error")
        elif fault is Fault.HTML:
            response = _Response(200, HTML_PAGE.encode(), "text/html; charset=utf-8")
        else:
            try:
                response = self._route(path, query)
            except Exception as exc:  # a stand-in bug must look like a 500, not a hang
                self.errors.append(exc)
                response = _text(500, "Internal Server Error")
        response.headers.update(verdict.headers())
        if fault is Fault.TRUNCATE:
            if faults.truncate_mode == "json":
                response.body = response.body[: len(response.body) // 2]
            else:
                return self._send(h, response, cut=True)
        return self._send(h, response)

    @staticmethod
    def _key_from(header: str | None) -> str | None:
        """The API key: the password of Basic auth (the login is empty, as lemlist documents)."""
        if not header or not header.startswith("Basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _login, sep, password = decoded.partition(":")
        return password if sep else None

    def _route(self, path: str, query: dict[str, str]) -> _Response:
        parts = [p for p in path.split("/") if p]
        try:
            if parts == ["api", "team"]:
                return _json(self.dataset.team(v2=query.get("version") == "v2"))
            if parts == ["api", "inbox"]:
                return self._inbox(query)
            if len(parts) == 3 and parts[:2] == ["api", "inbox"]:
                if parts[2] in SEND_CHANNELS:
                    return _text(405, "Method not allowed")
                return self._messages(parts[2], query)
            if len(parts) == 3 and parts[:2] == ["api", "users"]:
                user = self.dataset.user_detail(parts[2])
                return _json(user) if user is not None else _text(404, "User not found")
            if len(parts) in (4, 5) and parts[:2] == ["api", "inbox"] and parts[3] == "drafts":
                draft_id = parts[4] if len(parts) == 5 else None
                return self._answer(*self.outgoing.drafts("GET", parts[2], draft_id, query, None))
        except _BadParam as exc:
            return _text(400, str(exc))
        return _text(404, "Not found")

    @staticmethod
    def _answer(status: int, value: dict[str, Any] | str) -> _Response:
        if isinstance(value, str):
            return _text(status, value)
        response = _json(value)
        response.status = status
        return response

    def _write(
        self, h: _Handler, method: str, path: str, query: dict[str, str], raw: bytes, verdict: Verdict
    ) -> int:
        """A send or a draft change, with the write fault knobs (``Faults.write_*``)."""
        faults = self.faults
        fault = faults.take_write_fault()
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = None
        if fault == "fail":
            self._record_write(method, path, query, body, 0, processed=False)
            response = _text(faults.write_status, faults.write_message)
        else:
            response = self._write_route(method, path, query, raw, body)
            processed = 200 <= response.status < 300
            self._record_write(method, path, query, body, response.status, processed=processed)
            if fault == "timeout":
                self._stopping.wait(faults.write_stall)
                self._drop(h, abort=True)
                return 0
            if fault == "reset":
                self._drop(h, abort=True)
                return 0
        response.headers.update(verdict.headers())
        return self._send(h, response)

    def _write_route(self, method: str, path: str, query: dict[str, str], raw: bytes, body: Any) -> _Response:
        parts = [p for p in path.split("/") if p]
        if raw and body is None:
            return _text(400, "Bad params (the body is not JSON)")
        try:
            if method == "POST" and len(parts) == 3 and parts[:2] == ["api", "inbox"]:
                if parts[2] in SEND_CHANNELS:
                    return self._answer(*self.outgoing.send(parts[2], body))
                return _text(405, "Method not allowed")
            if len(parts) in (4, 5) and parts[:2] == ["api", "inbox"] and parts[3] == "drafts":
                draft_id = parts[4] if len(parts) == 5 else None
                return self._answer(*self.outgoing.drafts(method, parts[2], draft_id, query, body))
        except Exception as exc:  # a stand-in bug must look like a 500, not a hang
            self.errors.append(exc)
            return _text(500, "Internal Server Error")
        return _text(405, "Method not allowed")

    def _record_write(
        self, method: str, path: str, query: dict[str, str], body: Any, status: int, *, processed: bool
    ) -> None:
        record = WriteRecord(time.monotonic(), method, path, dict(query), body, status, processed)
        with self._log_lock:
            self.writes.append(record)

    def _inbox(self, query: dict[str, str]) -> _Response:
        user_id = query.get("userId")
        if not user_id:
            return _text(400, "User ID is required")
        if not self.dataset.has_user(user_id):
            return _text(400, "User not in team")
        page = _int_param(query, "page", 1, 1)
        limit = min(MAX_LIMIT, _int_param(query, "limit", DEFAULT_LIMIT, 1))
        offset = (page - 1) * limit
        items, total = self.dataset.page(offset, limit)
        malformed, odd = self.faults.malformed_every, self.faults.odd_every
        if malformed > 0 or odd > 0:
            for i in range(len(items)):
                position = offset + i + 1
                if malformed > 0 and position % malformed == 0:
                    items[i] = junk_item(position // malformed)
                elif odd > 0 and position % odd == 0:
                    items[i] = odd_item(items[i], position // odd)
        pagination = _pagination(total, page, limit, offset + limit < total)
        return _json({"data": items, "pagination": pagination})

    def _page_of(self, number: int, limit: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Page ``number`` of the list and its honest pagination (for ``lies``)."""
        offset = (number - 1) * limit
        items, total = self.dataset.page(offset, limit)
        return items, _pagination(total, number, limit, offset + limit < total)

    def _messages(self, contact_id: str, query: dict[str, str]) -> _Response:
        user_id = query.get("userId") or None
        if user_id is not None and not self.dataset.has_user(user_id):
            return _text(400, "User not in team")
        mark = (query.get("markAsRead") or "").lower() in ("true", "1")
        if mark and user_id is None:
            return _text(400, "User ID is required to mark as read")
        skip = _int_param(query, "skip", 0, 0)
        limit = min(MAX_LIMIT, _int_param(query, "limit", DEFAULT_LIMIT, 1))
        try:
            messages = self.dataset.thread(contact_id)
            if mark and user_id is not None:
                self.dataset.mark_read(contact_id, user_id)
        except KeyError:
            return _text(404, "Contact not found")
        total = len(messages)
        self.files.remember(messages)
        pagination = _pagination(total, skip // limit + 1, limit, skip + limit < total)
        return _json({"data": messages[skip : skip + limit], "pagination": pagination})

    # ------------------------------------------------------------------ writing

    def _send(self, h: _Handler, response: _Response, *, cut: bool = False) -> int:
        body = response.body
        h.send_response(response.status)
        h.send_header("Content-Type", response.content_type)
        h.send_header("Content-Length", str(len(body)))
        for name, value in response.headers.items():
            h.send_header(name, value)
        if cut:
            h.send_header("Connection", "close")
        self._log(h, response.status)
        h.end_headers()
        h.sent_status = response.status
        if h.command == "HEAD":
            return response.status
        slow = self.faults.slow_body
        if cut:
            h.wfile.write(body[: len(body) // 2])
            self._drop(h, abort=False)
        elif slow > 0 and body:
            half = max(1, len(body) // 2)
            h.wfile.write(body[:half])
            self._stopping.wait(slow)
            h.wfile.write(body[half:])
        else:
            h.wfile.write(body)
        return response.status

    def _send_file(self, h: _Handler, file: DemoFile | None) -> int:
        """Stream an attachment in chunks, with the Content-Length its ``declared`` says."""
        if file is None:
            return self._send(h, _text(404, "File not found"))
        h.send_response(200)
        h.send_header("Content-Type", file.content_type)
        if file.declared == "honest":
            h.send_header("Content-Length", str(file.size))
        elif isinstance(file.declared, int):
            h.send_header("Content-Length", str(file.declared))
        if file.declared != "honest":
            h.send_header("Connection", "close")
            h.close_connection = True
        self._log(h, 200)
        h.end_headers()
        h.sent_status = 200
        delay = self.files.chunk_delay
        for number, chunk in enumerate(file.chunks()):
            if number and delay > 0 and self._stopping.wait(delay):
                break
            h.wfile.write(chunk)
        if file.declared != "honest":
            self._drop(h, abort=False)
        return 200

    @staticmethod
    def _drop(h: _Handler, *, abort: bool) -> None:
        """Close the connection now: with a TCP reset (abort) or a plain FIN."""
        h.close_connection = True
        conn = h.connection
        with contextlib.suppress(OSError):
            if abort:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()


def serve(
    port: int = 0,
    conversations: int = 300,
    seed: int = 7,
    faults: Faults | None = None,
    *,
    host: str = "127.0.0.1",
    api_key: str = DEMO_API_KEY,
    hostile: bool = False,
) -> None:
    """Run the stand-in in the foreground until Ctrl-C (``lemlist-inbox demo-server``)."""
    server = DemoServer(
        conversations=conversations,
        seed=seed,
        faults=faults,
        host=host,
        port=port,
        api_key=api_key,
        hostile=hostile,
    ).start()
    out = sys.stdout
    print(f"lemlist demo API on {server.base_url}", file=out)
    print(f"API key: {api_key}   ({len(server.dataset)} conversations, seed {seed})", file=out)
    print(f"  export LEMLIST_BASE_URL={server.base_url} LEMLIST_API_KEY={api_key}", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)
    try:
        while not server._stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


__all__ = ["DEMO_API_KEY", "DemoServer", "RequestRecord", "Verdict", "WriteRecord", "serve"]
