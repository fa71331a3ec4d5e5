"""The lemlist Inbox API client: one shared ``httpx.AsyncClient``, rate-limited and retried.

Everything the CLI and the TUI read from lemlist goes through ``LemlistClient``, so
the rules live in one place: every request waits for the shared ``RateLimiter``,
transient failures (429, 5xx, resets, timeouts, truncated bodies) are retried by
tenacity within a budget, and anything else becomes one typed ``LemlistError`` with a
short message a person can act on. The key is handed to httpx as Basic auth (empty
login, key as password) and kept nowhere else in clear, except by the ``Redactor``
that scrubs it from messages: it never reaches a URL, a log line, an error or a repr.

The pydantic models are imported where answers are parsed, not with this module, so a
first request can be on the wire while they load (``load_models``; benchmark row
"1 start-up: first rows - first frame (200 ms latency)").

Writes (sending a reply, creating, changing or deleting a draft) take another path,
``_write_json``: one attempt, never retried, whatever the failure. A POST that timed out
may have been acted on, and sending a reply twice is worse than asking the user. What a
failed write means is told by its type: ``UncertainWriteError`` when lemlist may have
done it (no answer after the request was out, 500/502/504, a 2xx that is not lemlist's),
any other ``LemlistError`` when it certainly did not (the request never left, a 4xx with
lemlist's text, 429, 503). The caller (``inbox.replies``) decides what to do about it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import traceback
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx
import tenacity

from lemlist_inbox import __version__
from lemlist_inbox.api.body import (
    ACCEPT_ENCODING,
    BODY_LIMIT,
    ERROR_BODY_LIMIT,
    BodyTooLarge,
    UnsupportedEncoding,
    read_bounded,
)
from lemlist_inbox.api.defaults import DEFAULT_BASE_URL
from lemlist_inbox.api.errors import (
    BadRequestError,
    DraftLimitError,
    InvalidResponseError,
    LemlistError,
    RateLimitedError,
    ServerError,
    TooLargeError,
    UncertainWriteError,
)
from lemlist_inbox.api.ids import check_id, path_segment
from lemlist_inbox.api.jsondecode import NotJson, TooDeep, clean_document, loads
from lemlist_inbox.api.pagination import iter_pages, oldest_first
from lemlist_inbox.api.ratelimit import RateLimiter, Ticket
from lemlist_inbox.api.retry import (
    Redactor,
    RetryPolicy,
    Transient,
    clean_text,
    error_for_status,
    looks_like_html,
    network_error,
    network_reason,
    rate_limited_for,
    requested_wait,
    retrying,
    server_message,
)
from lemlist_inbox.api.writes import (
    DRAFT_MAX_BYTES,
    SEND_CHANNELS,
    WRITE_BODY_LIMIT,
    draft_limit_message,
    draft_too_large_message,
)

if TYPE_CHECKING:
    from pathlib import Path

    from lemlist_inbox.api.download import DownloadProgress
    from lemlist_inbox.api.models import (
        Conversation,
        Draft,
        Message,
        Page,
        Pagination,
        SendResult,
        TeamUser,
        User,
    )

log = logging.getLogger("lemlist_inbox.api")

#: Most messages kept for one thread: a server that never ends a thread must not
#: fill memory; the thread says it was truncated (``Thread.truncated``).
MAX_THREAD_MESSAGES = 5000
#: Most requests for one thread beyond what its message cap needs at the page size
#: asked for (a server may cap ``limit`` lower than we ask).
THREAD_PAGE_SLACK = 10


def _forget_frames(exc: BaseException) -> None:
    """Drop what an error's traceback and chained errors keep alive (a body, its parse).

    A caller may keep the error for minutes (a status line, a failed mark); the
    frames it points to must not pin a 32 MB body meanwhile.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        following = current.__context__ or current.__cause__
        current.__context__ = None
        current.__cause__ = None
        current = following


async def _one_chunk(data: bytes) -> AsyncGenerator[bytes, None]:
    yield data


_models_lock = threading.Lock()
_models_ready = threading.Event()


def load_models() -> None:
    """Import the pydantic models and build the list's validators (~300 ms of CPU here).

    The client needs them only to parse answers, so it imports them there, on first
    use, and can send its first requests without them. ``conversations_page`` runs
    this in a thread while the first page is on the wire (the TUI also starts it once
    its first frame is up): a cold load's page 2 waited for it after page 1's answer
    (figure 9, CLI ``list``). The validators are built here too (``defer_build``
    would build them on the first page's parse, ~60 ms more on that path).
    """
    with _models_lock:
        if _models_ready.is_set():
            return
        from lemlist_inbox.api import models

        for model in (models.Conversation, models.Pagination):
            model.model_rebuild(force=True)
        _models_ready.set()


def _models_loading() -> asyncio.Future[None] | None:
    """``load_models`` in a thread, unless done: await it before parsing an answer."""
    if _models_ready.is_set():
        return None
    loading = asyncio.ensure_future(asyncio.to_thread(load_models))
    # Retrieved even when the request fails first (the parse would raise it anyway).
    loading.add_done_callback(lambda done: done.cancelled() or done.exception())
    return loading


#: What a request's transport can raise while it is sent or its answer read: a read
#: retries these, a write decides from ``_Marks`` whether it may have landed.
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
    httpx.DecodingError,
    zlib.error,
    TimeoutError,
)
#: A write also counts a body too large or a garbled answer as no clear answer.
_WRITE_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    *_TRANSPORT_ERRORS,
    TooLargeError,
    InvalidResponseError,
)


class _Marks:
    """When one request's headers and body were written and its answer began (httpx's trace hook).

    The limiter places a request in its rate window from "sent" and "answered"; a write
    also reads "body": before it was written whole, lemlist cannot have acted on it.
    """

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.at: dict[str, float] = {}

    async def trace(self, event: str, info: Any) -> None:
        if event.endswith(".send_request_headers.complete"):
            self.at["sent"] = self._now()
        elif event.endswith(".send_request_body.complete"):
            self.at["body"] = self._now()
        elif event.endswith(".receive_response_headers.complete"):
            self.at["answered"] = self._now()

    def report(self, ticket: Ticket) -> None:
        """Tell the limiter when the request went and was answered, when both are known."""
        if "sent" in self.at and "answered" in self.at:
            ticket.report(self.at["sent"], self.at["answered"])


@dataclass
class ClientStats:
    """Counters for the status line, benchmarks and tests."""

    requests: int = 0  # HTTP attempts sent, retries included
    retries: int = 0
    rate_limited: int = 0  # 429 answers seen
    errors: int = 0  # typed errors raised to callers


@dataclass
class Thread:
    """The messages of one contact, oldest first; malformed ones skipped and counted."""

    messages: list[Message]
    skipped: int = 0
    skip_reasons: list[str] = field(default_factory=list)
    #: More messages were on offer than we keep or ask for: the oldest are missing.
    truncated: bool = False

    @property
    def notice(self) -> str:
        """What to show above a cut thread ("" when complete)."""
        return f"thread truncated at {len(self.messages)} messages" if self.truncated else ""


class LemlistClient:
    """Async client for lemlist's Inbox API. Use as ``async with LemlistClient(key) as c``."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        rate_limiter: RateLimiter | None = None,
        timeout: float = 15.0,
        max_retries: int = 5,
        page_concurrency: int = 6,
        transport: httpx.AsyncBaseTransport | None = None,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        url = httpx.URL(base_url)
        self.base_url = base_url
        self._host = url.host + (f":{url.port}" if url.port is not None else "")
        self._shown_base = f"{url.scheme}://{self._host}{url.path}".rstrip("/")
        self._limiter = rate_limiter or RateLimiter()
        self._timeout = timeout
        self._max_retries = max(0, max_retries)
        self.page_concurrency = max(1, page_concurrency)
        self._policy = retry_policy or RetryPolicy()
        self._sleep = sleep
        self._redact = Redactor(api_key)
        self.stats = ClientStats()
        #: Set once the server answered with JSON: from then on an HTML page is a hiccup.
        self._spoke_json = False
        self._http = httpx.AsyncClient(
            base_url=base_url,
            auth=httpx.BasicAuth("", api_key),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            limits=httpx.Limits(max_connections=max(10, self.page_concurrency * 2)),
            headers={"Accept": "application/json", "User-Agent": f"lemlist-inbox/{__version__}"},
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"LemlistClient(base_url={self._shown_base!r})"

    @property
    def rate_limiter(self) -> RateLimiter:
        return self._limiter

    async def __aenter__(self) -> LemlistClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def download(
        self,
        url: str,
        folder: Path,
        name: str,
        *,
        max_bytes: int,
        on_progress: Callable[[DownloadProgress], None] = lambda _progress: None,
    ) -> Path:
        """Download an attachment into ``folder`` (``api.download``: capped, never
        overwriting); the key is sent only if ``url`` is on the API's own origin."""
        from lemlist_inbox.api.download import download

        return await download(
            self._http,
            url,
            folder,
            name,
            base_url=self.base_url,
            auth=self._http.auth,
            max_bytes=max_bytes,
            on_progress=on_progress,
            timeout=self._timeout,
        )

    # ---- endpoints -------------------------------------------------------------------

    async def team_users(self) -> list[TeamUser]:
        """The team's users (``GET /team?version=v2``), to pick whose inbox to read."""
        body = await self._get_json("/team", {"version": "v2"}, urgent=True)
        if not isinstance(body, dict):
            raise self._invalid("the team is not a JSON object")
        raw = body.get("users")
        if not isinstance(raw, list):
            return []
        from lemlist_inbox.api.models import TeamUser, parse_items

        users, skipped, reasons = parse_items(TeamUser, raw)
        if skipped:
            log.info("team: skipped %d malformed user(s): %s", skipped, "; ".join(reasons))
        return users

    async def conversations_page(self, user_id: str, page: int, limit: int = 100) -> Page[Conversation]:
        """One page of ``GET /inbox``; malformed items are skipped and counted, never the page."""
        params: dict[str, str | int] = {"page": page, "limit": limit}
        if user_id:
            params["userId"] = check_id(user_id, "user id")
        models = _models_loading()  # loads while the request is on the wire
        body = await self._get_json("/inbox", params)
        if models is not None:
            await models
        raw, pagination = self._data_and_pagination(body)
        from lemlist_inbox.api.models import Conversation, Page, parse_items

        items, skipped, reasons = parse_items(Conversation, raw, context={"user_id": user_id or None})
        if skipped:
            log.info("inbox page %d: skipped %d malformed item(s): %s", page, skipped, "; ".join(reasons))
        return Page(items=items, pagination=pagination, number=page, skipped=skipped, skip_reasons=reasons)

    def iter_conversation_pages(
        self,
        user_id: str,
        *,
        limit: int = 100,
        start_page: int = 1,
        seen: set[str] | None = None,
        verify: bool = True,
    ) -> AsyncGenerator[Page[Conversation], None]:
        """Every conversation page, in order, each conversation once (see ``pagination``).

        After the pages in order, ``verify`` may yield one more page numbered 1 with the
        conversations that reached the top while loading, and pages with any that
        slipped between pages. Close it (``contextlib.aclosing``) if you stop early.
        """

        async def fetch(number: int) -> Page[Conversation]:
            return await self.conversations_page(user_id, number, limit)

        return iter_pages(
            fetch,
            limit=limit,
            concurrency=self.page_concurrency,
            start_page=start_page,
            seen=seen,
            verify=verify,
        )

    async def thread(
        self,
        contact_id: str,
        *,
        user_id: str | None = None,
        mark_as_read: bool = False,
        page_size: int = 100,
        urgent: bool = True,
        background: bool = False,
    ) -> Thread:
        """Every message of one contact, oldest first.

        ``markAsRead=true`` goes on the first request only, and only when asked: reading
        page 2 must not mark again, and a prefetch must never mark at all. ``urgent``
        (the default: someone is waiting for it) lets the requests pass queued page
        loads; a prefetch passes ``urgent=False``. ``background`` (the prefetch of the
        newest threads) queues behind everyone and leaves part of each rate window to
        others (``RateLimiter``).
        """
        if mark_as_read and not user_id:
            raise ValueError("mark_as_read needs the viewing user's id")
        path = self._contact_path(contact_id)
        if user_id:
            check_id(user_id, "user id")
        page_size = max(1, page_size)
        collected: list[Message] = []
        ids: set[str] = set()
        skipped = 0
        reasons: list[str] = []
        skip = 0
        truncated = False
        max_requests = -(-MAX_THREAD_MESSAGES // page_size) + THREAD_PAGE_SLACK
        for request_no in range(max_requests):
            params: dict[str, str | int] = {"skip": skip, "limit": page_size}
            if user_id:
                params["userId"] = user_id
            if mark_as_read and request_no == 0:
                params["markAsRead"] = "true"
            body = await self._get_json(path, params, urgent=urgent and not background, background=background)
            raw, pagination = self._data_and_pagination(body)
            from lemlist_inbox.api.models import Message, parse_items

            good, bad, why = parse_items(Message, raw)
            skipped += bad
            reasons.extend(why[: max(0, 5 - len(reasons))])
            new = [m for m in good if m.id not in ids]
            room = MAX_THREAD_MESSAGES - len(collected)
            if len(new) > room:
                new, truncated = new[:room], True
            ids.update(m.id for m in new)
            collected.extend(new)
            skip += len(raw)
            total = pagination.total_items
            # Trust the server's total when it gives one: it may cap ``limit`` below ours.
            short = (skip >= total) if total is not None else len(raw) < page_size
            # A page with nothing new (the same page again, a server ignoring ``skip``)
            # ends the thread: the next one would bring nothing new either.
            if short or not raw or not (new or bad) or truncated:
                break
            if len(collected) >= MAX_THREAD_MESSAGES:
                truncated = True
                break
        else:
            truncated = True
        if truncated:
            log.info("thread: truncated at %d messages", len(collected))
        if skipped:
            log.info("thread: skipped %d malformed message(s): %s", skipped, "; ".join(reasons))
        return Thread(
            messages=oldest_first(collected), skipped=skipped, skip_reasons=reasons, truncated=truncated
        )

    async def mark_read(self, contact_id: str, user_id: str) -> None:
        """Mark one conversation read for one user (when the thread came from a cache)."""
        await self._get_json(
            self._contact_path(contact_id),
            {"markAsRead": "true", "userId": check_id(user_id, "user id"), "limit": 1},
            urgent=True,
        )

    async def user(self, user_id: str) -> User:
        """One team user with their mailboxes (``GET /users/{userId}``): where replies go from."""
        body = await self._get_json("/users/" + path_segment(user_id, "user id"), {}, urgent=True)
        if not isinstance(body, dict):
            raise self._invalid("the user is not a JSON object")
        from lemlist_inbox.api.models import User, parse_items

        users, _skipped, _reasons = parse_items(User, [body])
        if not users:
            raise self._invalid("the user has no '_id'")
        return users[0]

    # ---- writes (never retried: see the module docstring) ----------------------------

    async def send_payload(self, channel: str, payload: dict[str, Any]) -> SendResult:
        """Send one reply (``POST /inbox/{channel}``) with a body from ``api.writes``."""
        if channel not in SEND_CHANNELS:
            raise ValueError(f"cannot send on channel {channel!r}")
        check_id(payload.get("contactId"), "contact id")
        body = await self._write_json("POST", f"/inbox/{channel}", {}, payload, what="reply")
        from lemlist_inbox.api.models import SendResult

        answer = body if isinstance(body, dict) else {}
        ok = answer.get("ok")
        contact = answer.get("contactId")
        result = SendResult(
            ok if isinstance(ok, bool) else None, contact if isinstance(contact, str) else None, answer
        )
        if result.ok is False:
            # lemlist said "not ok" with a 2xx: what was done is unclear, so it is not resent.
            raise UncertainWriteError("lemlist answered without confirming the send (ok: false)")
        return result

    async def drafts(self, contact_id: str, owner: str) -> list[Draft]:
        """The owner's drafts for one contact, as listed (content is a preview only)."""
        body = await self._get_json(self._drafts_path(contact_id), {"draftOwner": owner}, urgent=True)
        raw = body.get("drafts") if isinstance(body, dict) else body
        if not isinstance(raw, list):
            raise self._invalid("no 'drafts' list")
        from lemlist_inbox.api.models import Draft, parse_items

        drafts, skipped, reasons = parse_items(Draft, raw)
        if skipped:
            log.info("drafts: skipped %d malformed draft(s): %s", skipped, "; ".join(reasons))
        return drafts

    async def draft(self, contact_id: str, draft_id: str, owner: str) -> Draft:
        """One draft with its full content (to continue it)."""
        path = self._drafts_path(contact_id, draft_id)
        return self._one_draft(await self._get_json(path, {"draftOwner": owner}, urgent=True))

    async def create_draft(self, contact_id: str, owner: str, fields: dict[str, Any]) -> str:
        """Create a draft (``channel`` and ``content`` required); returns its id."""
        self._check_draft_size(fields)
        path = self._drafts_path(contact_id)
        body = await self._write_json(
            "POST", path, {"draftOwner": owner}, fields, what="draft", contact_id=contact_id
        )
        ident = body.get("draftId") or body.get("_id") if isinstance(body, dict) else None
        if not isinstance(ident, str) or not ident:
            # Created or not, we cannot name it: the user sees it in the drafts list.
            raise UncertainWriteError("lemlist did not say which draft it created (no 'draftId')")
        return ident

    async def update_draft(
        self, contact_id: str, draft_id: str, owner: str, fields: dict[str, Any]
    ) -> Draft | None:
        """Change a draft (only the fields given); the draft as lemlist now has it, if it said."""
        self._check_draft_size(fields)
        path = self._drafts_path(contact_id, draft_id)
        body = await self._write_json(
            "PATCH", path, {"draftOwner": owner}, fields, what="draft", contact_id=contact_id
        )
        try:
            return self._one_draft(body)
        except InvalidResponseError:
            return None

    async def delete_draft(self, contact_id: str, draft_id: str, owner: str) -> None:
        """Delete a draft (lemlist keeps it soft-deleted)."""
        path = self._drafts_path(contact_id, draft_id)
        await self._write_json("DELETE", path, {"draftOwner": owner}, None, what="draft deletion")

    def _one_draft(self, body: Any) -> Draft:
        raw = body.get("draft", body) if isinstance(body, dict) else None
        from lemlist_inbox.api.models import Draft, parse_items

        drafts, _skipped, _reasons = parse_items(Draft, [raw])
        if not drafts:
            raise self._invalid("no 'draft' object")
        return drafts[0]

    @staticmethod
    def _check_draft_size(fields: dict[str, Any]) -> None:
        content = fields.get("content")
        if isinstance(content, str):
            size = len(content.encode("utf-8", "surrogatepass"))
            if size > DRAFT_MAX_BYTES:
                raise DraftLimitError(draft_too_large_message(size))

    def _drafts_path(self, contact_id: str, draft_id: str | None = None) -> str:
        path = self._contact_path(contact_id) + "/drafts"
        return path + "/" + path_segment(draft_id, "draft id") if draft_id is not None else path

    # ---- plumbing --------------------------------------------------------------------

    @staticmethod
    def _contact_path(contact_id: str) -> str:
        # Checked and quoted whole: an id must not be able to walk to another endpoint.
        return "/inbox/" + path_segment(contact_id, "contact id")

    def _invalid(self, detail: str = "") -> InvalidResponseError:
        self.stats.errors += 1
        return self._invalid_unsaved(detail)

    def _data_and_pagination(self, body: Any) -> tuple[list[Any], Pagination]:
        from lemlist_inbox.api.models import Pagination

        if isinstance(body, list):
            return body, Pagination()
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            raw_pag = body.get("pagination")
            pagination = Pagination.model_validate(raw_pag) if isinstance(raw_pag, dict) else Pagination()
            return body["data"], pagination
        raise self._invalid("no 'data' list")

    async def _get_json(
        self, path: str, params: dict[str, str | int], *, urgent: bool = False, background: bool = False
    ) -> Any:
        """GET and decode JSON, with rate limiting and retries; typed errors only."""
        controller = retrying(
            self._policy,
            self._max_retries,
            sleep=self._sleep,
            on_retry=self._on_retry,
            trusted=lambda: self._spoke_json,
        )
        try:
            return await controller(self._attempt, path, params, urgent, background)
        except (Transient, LemlistError) as exc:
            self.stats.errors += 1
            final = self._scrubbed(exc.final if isinstance(exc, Transient) else exc)
            _forget_frames(exc)
            _forget_frames(final)
            kind = "failed after retries" if isinstance(exc, Transient) else "failed"
            log.info("GET %s %s: %s", path, kind, final.message)
        raise final from None

    async def _write_json(
        self,
        method: str,
        path: str,
        params: dict[str, str | int],
        payload: dict[str, Any] | None,
        *,
        what: str,
        contact_id: str = "",
    ) -> Any:
        """One write, one attempt: typed errors only, ``UncertainWriteError`` when it may have landed."""
        try:
            return await self._write_attempt(method, path, params, payload, what, contact_id)
        except LemlistError as exc:
            self.stats.errors += 1
            final = self._scrubbed(exc)
            _forget_frames(exc)
            log.info("%s %s failed (not retried): %s", method, path, final.message)
        raise final from None

    async def _write_attempt(
        self,
        method: str,
        path: str,
        params: dict[str, str | int],
        payload: dict[str, Any] | None,
        what: str,
        contact_id: str,
    ) -> Any:
        content = None
        headers = {"Accept-Encoding": ACCEPT_ENCODING}
        if payload is not None:
            content = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode("ascii")
            if len(content) > WRITE_BODY_LIMIT:
                raise LemlistError(f"the {what} is too large to send ({len(content) // 1024} KB)")
            headers["Content-Type"] = "application/json"
        async with self._limiter.slot(urgent=True) as ticket:
            self.stats.requests += 1
            marks = _Marks(self._limiter.now)
            request = self._http.build_request(
                method,
                path,
                params=params,
                content=content,
                headers=headers,
                extensions={"trace": marks.trace},
            )
            try:
                async with asyncio.timeout(self._timeout):
                    status, answer_headers, raw = await self._fetch(request)
            except _WRITE_TRANSPORT_ERRORS as exc:
                if "body" not in marks.at:
                    # The request never left whole: lemlist cannot have acted on it.
                    if isinstance(exc, LemlistError):
                        raise
                    raise network_error(exc, host=self._host, timeout=self._timeout) from None
                reason = exc.message if isinstance(exc, LemlistError) else network_reason(exc, self._timeout)
                raise UncertainWriteError(
                    f"no clear answer from {self._host} after the {what} was sent ({reason}): "
                    "it may have gone through"
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise self._bad_base_url(exc) from None
            finally:
                marks.report(ticket)
        return self._decode_write(status, answer_headers, raw, path, what, contact_id)

    def _decode_write(
        self, status: int, headers: httpx.Headers, raw: bytes, path: str, what: str, contact_id: str
    ) -> Any:
        """A write's answer: the JSON (``{}`` for an empty or plain-text 2xx), else the error."""
        content_type = headers.get("content-type", "")
        text = raw[:ERROR_BODY_LIMIT].decode("utf-8", "replace")
        if 200 <= status < 300:
            if not raw.strip():
                return {}
            try:
                body, bad_bytes = loads(raw)
            except (NotJson, TooDeep):
                if looks_like_html(text, content_type):
                    # A proxy or portal answered: whether lemlist got the request is unknown.
                    raise UncertainWriteError(
                        f"the server at {self._shown_base} answered the {what} with an HTML page, "
                        "not lemlist's answer: it may or may not have gone through"
                    ) from None
                return {}  # a plain-text "Success": lemlist said yes
            self._spoke_json = True
            return clean_document(body, bad_bytes)
        if 300 <= status < 400:
            raise InvalidResponseError(
                f"the server at {self._shown_base} answered with a redirect (HTTP {status}); "
                f"check the base URL (the {what} was not sent)",
                status=status,
            )
        message = server_message(text, content_type, self._redact)
        said = f": {message}" if message else ""
        if status == 429:
            self.stats.rate_limited += 1
            wait = requested_wait(headers.get("retry-after"), self._policy)
            self._limiter.hold(min(wait, self._policy.max_retry_after))
            raise RateLimitedError(
                f"lemlist is rate-limiting requests (HTTP 429); the {what} was not sent: "
                f"try again in {max(1, round(wait))} s",
                status=status,
            )
        if status == 503:
            raise ServerError(
                f"lemlist is unavailable (HTTP 503{said}); the {what} was not sent", status=status
            )
        if status >= 500:
            raise UncertainWriteError(
                f"lemlist server error (HTTP {status}{said}) after the {what} was sent: "
                "it may have gone through",
                status=status,
            )
        if status == 400 and "draft limit" in message.lower():
            raise DraftLimitError(draft_limit_message(contact_id), status=status)
        if status == 400 and "too large" in message.lower():
            raise DraftLimitError(f"lemlist refused the {what} as too large (HTTP 400{said})", status=status)
        if status == 400:
            raise BadRequestError(f"lemlist refused the {what} (HTTP 400{said})", status=status)
        error = error_for_status(status, message, where=path, attempts=0)
        if isinstance(error, Transient):  # pragma: no cover - 429 and 5xx are handled above
            raise error.final
        raise error

    def _bad_base_url(self, exc: Exception) -> LemlistError:
        """The error for a base URL httpx cannot use: named by the exception's type only."""
        detail = self._redact(type(exc).__name__)
        return LemlistError(f"cannot use the base URL {self._shown_base} ({detail})")

    def _scrubbed(self, error: LemlistError) -> LemlistError:
        """The error with its message cleaned and the key redacted: the last line of defence.

        Messages are built clean, but a server can echo anything into them; cleaning
        first joins a key split by invisible characters, so the redaction finds it.
        """
        message = clean_text(error.message, limit=len(error.message) + 1, redact=self._redact)
        if message != error.message:
            error.message = message
            error.args = (message,)
        return error

    async def _attempt(
        self, path: str, params: dict[str, str | int], urgent: bool = False, background: bool = False
    ) -> Any:
        async with self._limiter.slot(urgent=urgent, background=background) as ticket:
            self.stats.requests += 1
            marks = _Marks(self._limiter.now)
            request = self._http.build_request(
                "GET",
                path,
                params=params,
                headers={"Accept-Encoding": ACCEPT_ENCODING},
                extensions={"trace": marks.trace},
            )
            try:
                async with asyncio.timeout(self._timeout):
                    status, headers, raw = await self._fetch(request)
            except _TRANSPORT_ERRORS as exc:
                kind = "connect" if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout) else "network"
                raise Transient(
                    network_error(exc, host=self._host, timeout=self._timeout), kind=kind
                ) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                # A bad base URL (unsupported scheme...): no retry will fix it.
                raise self._bad_base_url(exc) from None
            finally:
                marks.report(ticket)
        try:
            return self._decode(status, headers, raw, path)
        except (LemlistError, Transient) as exc:
            # Tenacity keeps the failed outcome while it waits and while the next
            # attempt runs; its traceback must not keep this body (or its parse) alive
            # beside the next one.
            raw = b""
            _forget_frames(exc)
            raise

    async def _fetch(self, request: httpx.Request) -> tuple[int, httpx.Headers, bytes]:
        """Send, and read the body decoded with a bound (see ``api.body``)."""
        response = await self._http.send(request, stream=True)
        try:
            ok = 200 <= response.status_code < 300
            limit = BODY_LIMIT if ok else ERROR_BODY_LIMIT
            chunks: AsyncIterator[bytes]
            if response.is_stream_consumed:
                # Built in memory (a mock transport): already read and decoded by httpx.
                chunks, coding = _one_chunk(response.content), ""
            else:
                chunks, coding = response.aiter_raw(), response.headers.get("content-encoding", "")
            try:
                raw = await read_bounded(chunks, coding, limit, cut=not ok)
            except BodyTooLarge:
                raise TooLargeError(
                    f"lemlist sent more than {BODY_LIMIT // (1024 * 1024)} MB for one page"
                ) from None
            except UnsupportedEncoding as exc:
                raise InvalidResponseError(
                    f"the server at {self._shown_base} answered in an encoding we did not ask "
                    f"for ({clean_text(exc.coding, 40)})"
                ) from None
            return response.status_code, response.headers, raw
        finally:
            await response.aclose()

    def _decode(self, status: int, headers: httpx.Headers, raw: bytes, path: str) -> Any:
        content_type = headers.get("content-type", "")
        if 200 <= status < 300:
            failure: Transient | InvalidResponseError | None = None
            try:
                body, bad_bytes = loads(raw)
            except TooDeep:
                failure = InvalidResponseError(
                    f"the server at {self._shown_base} sent JSON nested too deeply to read"
                )
            except NotJson:
                # Built outside the handler: the JSON error's ``doc`` is the whole body.
                text = raw[:4096].decode("utf-8", "replace")
                html = looks_like_html(text, content_type)
                detail = "an HTML page" if html else "not JSON, or cut short"
                failure = Transient(self._invalid_unsaved(detail), kind="html" if html else "body")
            if failure is not None:
                raise failure
            self._spoke_json = True
            return clean_document(body, bad_bytes)
        text = raw.decode("utf-8", "replace")
        if 300 <= status < 400:
            raise InvalidResponseError(
                f"the server at {self._shown_base} answered with a redirect (HTTP {status}); "
                "check the base URL",
                status=status,
            )
        message = server_message(text, content_type, self._redact)
        if status == 404 and looks_like_html(text, content_type):
            raise InvalidResponseError(
                f"the server at {self._shown_base} answered 404 with an HTML page; check the base URL",
                status=status,
            )
        error = error_for_status(status, message, where=path, attempts=self._max_retries)
        if isinstance(error, Transient) and status == 429:
            self.stats.rate_limited += 1
            asked = requested_wait(headers.get("retry-after"), self._policy)
            if asked > self._policy.longest_wait:
                # Nobody waits an hour in front of a frozen list: say so now, hold nobody.
                raise rate_limited_for(asked)
            wait = min(asked, self._policy.max_retry_after)
            error.retry_after = wait
            self._limiter.hold(wait)
        raise error

    def _invalid_unsaved(self, detail: str = "") -> InvalidResponseError:
        """Like ``_invalid`` but not counted: it only counts if the retries run out.

        "Check the base URL" only while this server has never answered with JSON: once it
        has, the URL is right and the bad answer was a passing fault (a proxy's error page,
        a cut body), so the advice would send the user the wrong way.
        """
        extra = f" ({detail})" if detail else ""
        advice = "try again" if self._spoke_json else "check the base URL"
        return InvalidResponseError(
            f"the server at {self._shown_base} did not answer with lemlist JSON{extra}; {advice}"
        )

    def _on_retry(self, state: tenacity.RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        reason = exc.final.message if isinstance(exc, Transient) else type(exc).__name__
        path = state.args[0] if state.args else "?"
        log.info(
            "retrying GET %s in %.2f s (attempt %d of %d): %s",
            path,
            state.upcoming_sleep,
            state.attempt_number + 1,
            self._max_retries + 1,
            reason,
        )
