"""Which failures are worth another try, how long to wait, and what to say when we give up.

Retrying is tenacity's job (``AsyncRetrying``); this module only decides. One attempt
either returns, raises a final typed error (4xx, a JSON body of the wrong shape: a
retry would get the same answer), or raises ``Transient`` carrying the typed error
to raise if the retry budget runs out. So "what the user reads" is decided where the
failure is understood, and the retry loop stays generic.

Every message built here is cleaned of control characters, cut short and scrubbed of
the API key (see ``Redactor``): a hostile or broken server can echo anything back.
"""

from __future__ import annotations

import base64
import email.utils
import logging
import math
import os
import random
import re
import socket
import ssl
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import tenacity

from lemlist_inbox.api.errors import (
    AuthError,
    BadRequestError,
    LemlistError,
    NetworkError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitedError,
    ServerError,
)

log = logging.getLogger("lemlist_inbox.api")

MESSAGE_LIMIT = 200


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between attempts; tests shrink these to stay fast."""

    #: First backoff after a 5xx or network error; doubles each retry (plus jitter).
    backoff_base: float = 0.5
    #: Cap on one exponential backoff wait.
    max_backoff: float = 8.0
    #: Cap on a server's ``Retry-After`` that we do wait for (tests shrink it).
    max_retry_after: float = 30.0
    #: A 429 asking for a longer wait than this fails at once ("rate-limited by
    #: lemlist for N min"): nobody sits in front of a frozen list for an hour.
    longest_wait: float = 30.0
    #: Most seconds spent retrying one request, waits included (tenacity's
    #: ``stop_before_delay``): a wait that would end past it is not started.
    max_total: float = 30.0
    #: ``Retry-After`` when a 429 carries none.
    default_retry_after: float = 1.0
    #: Random extra wait, so concurrent callers do not retry in lock step.
    jitter: float = 0.25
    #: Retries for "nobody there" (connection refused, host not found) and for an HTML
    #: page while this server has never answered with JSON: a wrong base URL is not worth
    #: the full budget before the user hears about it. Once the server has answered, such
    #: a failure is an outage or a portal hiccup and gets the full budget.
    first_contact_retries: int = 1


class Transient(Exception):
    """An attempt failed in a way another attempt may fix; ``final`` is what to raise if not."""

    def __init__(self, final: LemlistError, *, retry_after: float | None = None, kind: str = "") -> None:
        super().__init__(final.message)
        self.final = final
        self.retry_after = retry_after
        self.kind = kind


class Redactor:
    """Removes the API key (and its Basic-auth encoding) from any text we build.

    Apply it to *cleaned* text (``clean_text(..., redact=...)``): a server can echo
    the key split by zero-width or control characters, which only cleaning joins up.
    """

    def __init__(self, api_key: str) -> None:
        secrets = [api_key]
        if api_key:
            secrets.append(base64.b64encode(f":{api_key}".encode()).decode("ascii"))
        self._secrets = [s for s in secrets if len(s) >= 4]

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text

    def __repr__(self) -> str:
        return "Redactor(<hidden>)"


def clean_text(text: str, limit: int = MESSAGE_LIMIT, redact: Callable[[str], str] | None = None) -> str:
    """One short printable line: control/format chars dropped, whitespace collapsed, cut.

    ``redact`` runs after cleaning and before cutting: on the text as it will be
    shown, so a secret split by invisible characters is joined up and found, and a
    secret straddling the cut is removed whole rather than shown in part.
    """
    chars = []
    # Only the head can be shown: do not walk a multi-megabyte error page char by char.
    for ch in text[: limit * 8]:
        if ch in "\t\n\r\f\v":
            chars.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            continue
        else:
            chars.append(ch)
    line = " ".join("".join(chars).split())
    if redact is not None:
        line = redact(line)
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line


def looks_like_html(body: str, content_type: str) -> bool:
    head = body.lstrip()[:200].lower()
    return "html" in content_type.lower() or head.startswith(("<!doctype", "<html", "<"))


def server_message(body: str, content_type: str, redact: Callable[[str], str]) -> str:
    """The server's plain-text explanation, safe to show; HTML pages are not explanations."""
    if not body.strip():
        return ""
    if looks_like_html(body, content_type):
        return "an HTML page instead of lemlist's answer"
    return clean_text(body, redact=redact)


def parse_retry_after(value: str | None, policy: RetryPolicy) -> float:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date), capped."""
    return min(requested_wait(value, policy), policy.max_retry_after)


def requested_wait(value: str | None, policy: RetryPolicy) -> float:
    """Seconds a ``Retry-After`` header (seconds or HTTP date) asks for, not capped (>= 0)."""
    if value:
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                seconds = policy.default_retry_after
            else:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                seconds = (when - datetime.now(UTC)).total_seconds()
        if seconds != seconds:  # NaN
            seconds = policy.default_retry_after
    else:
        seconds = policy.default_retry_after
    return max(seconds, 0.0)


def rate_limited_for(seconds: float) -> RateLimitedError:
    """The error for a 429 whose wait is too long to sit through: fail now, say how long."""
    minutes = math.ceil(min(seconds, 1e9) / 60)
    return RateLimitedError(f"rate-limited by lemlist for {minutes} min; try again later", status=429)


def error_for_status(status: int, message: str, *, where: str, attempts: int) -> LemlistError | Transient:
    """The typed error for a non-2xx answer; ``Transient`` when a retry may help."""
    said = f": {message}" if message else ""
    if status in (401, 403):
        return AuthError(
            f"lemlist refused the API key (HTTP {status}{said}); check that the key is right "
            "and has not been revoked",
            status=status,
        )
    if status == 400:
        return BadRequestError(f"lemlist rejected the request (HTTP 400{said})", status=status)
    if status == 402:
        return PaymentRequiredError(
            f"lemlist says the plan or credits do not allow this (HTTP 402{said})", status=status
        )
    if status == 404:
        return NotFoundError(f"not found (HTTP 404{said}) at {where}", status=status)
    if status == 429:
        return Transient(
            RateLimitedError(
                f"lemlist kept answering 429 (rate limited) after {attempts} retries; try again later",
                status=status,
            ),
            kind="429",
        )
    if status >= 500:
        return Transient(
            ServerError(
                f"lemlist server error (HTTP {status}{said}) after {attempts} retries", status=status
            ),
            kind="5xx",
        )
    return LemlistError(f"unexpected answer from {where} (HTTP {status}{said})", status=status)


_ERRNO = re.compile(r"\[Errno -?\d+\]\s*")


def _root_os_error(exc: BaseException) -> OSError | None:
    """The socket-level error under httpx/httpcore/anyio wrappers (it names the real cause)."""
    found: OSError | None = None
    current: BaseException | None = exc
    for _ in range(12):
        if current is None:
            break
        if isinstance(current, OSError) and (
            current.errno is not None or isinstance(current, socket.gaierror)
        ):
            found = current
        current = current.__cause__ or current.__context__
    return found


#: OpenSSL verify codes that mean "nobody we trust signed this certificate".
_UNTRUSTED = {18, 19, 20, 21, 27}
#: OpenSSL reasons seen when the other end does not speak TLS at all.
_NOT_TLS = {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST"}


def _tls_reason(err: ssl.SSLError) -> str:
    """What went wrong in the TLS handshake, in words (its errno 1 reads "operation not permitted")."""
    if isinstance(err, ssl.SSLCertVerificationError):
        code = err.verify_code
        if code in _UNTRUSTED:
            return "TLS: certificate not trusted (self-signed or unknown issuer)"
        if code == 10:
            return "TLS: certificate expired"
        if code == 62 or "hostname" in str(err.verify_message).lower():
            return "TLS: certificate is for another host name"
        detail = clean_text(str(err.verify_message or ""), 60)
        return f"TLS: certificate not accepted ({detail})" if detail else "TLS: certificate not accepted"
    reason = str(err.reason or "")
    if reason in _NOT_TLS:
        return "TLS: wrong protocol (the server does not answer in TLS: is it an http:// URL?)"
    detail = clean_text(reason.replace("_", " ").lower(), 60)
    return f"TLS: handshake failed ({detail})" if detail else "TLS: handshake failed"


def _os_reason(err: OSError) -> str:
    if isinstance(err, ssl.SSLError):
        return _tls_reason(err)
    if isinstance(err, socket.gaierror):
        return "host not found"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, ConnectionResetError):
        return "connection reset"
    if err.errno is not None:
        try:
            return os.strerror(err.errno).lower()
        except ValueError:
            pass
    return clean_text(_ERRNO.sub("", str(err)), 80).lower()


def network_reason(exc: BaseException, timeout: float) -> str:
    """A few words on why the connection failed, without any request detail."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return f"no complete answer within {timeout:g} s (timed out)"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection closed before a complete answer"
    root = _root_os_error(exc)
    if root is not None:
        return _os_reason(root)
    text = clean_text(_ERRNO.sub("", str(exc)), 80).rstrip(".").lower()
    if isinstance(exc, httpx.ConnectError):
        if not text or "all connection attempts failed" in text:
            return "connection refused or host unreachable"
        return text
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return f"connection reset ({text})" if text and "reset" not in text else (text or "connection reset")
    return text or type(exc).__name__


def network_error(exc: BaseException, *, host: str, timeout: float) -> NetworkError:
    return NetworkError(f"cannot reach {host}: {network_reason(exc, timeout)}")


def retrying(
    policy: RetryPolicy,
    max_retries: int,
    *,
    sleep: Callable[[float], Awaitable[None]],
    on_retry: Callable[[tenacity.RetryCallState], None],
    trusted: Callable[[], bool] = lambda: False,
) -> tenacity.AsyncRetrying:
    """A tenacity controller: retry ``Transient`` only, within the budget, with our waits.

    ``trusted`` says whether this server has already answered with lemlist JSON.
    """
    exponential = tenacity.wait_exponential_jitter(
        multiplier=policy.backoff_base, max=policy.max_backoff, jitter=policy.jitter
    )

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, Transient) and exc.retry_after is not None:
            return exc.retry_after + random.uniform(0, policy.jitter)
        return float(exponential(state))

    # Tenacity computes the wait before asking ``stop``, so a wait that would end past
    # ``max_total`` (counted from the first attempt) is never started.
    out_of_time = tenacity.stop_before_delay(policy.max_total)

    def stop(state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        budget = max_retries
        if isinstance(exc, Transient) and exc.kind in ("html", "connect") and not trusted():
            budget = min(budget, policy.first_contact_retries)
        return state.attempt_number > budget or out_of_time(state)

    return tenacity.AsyncRetrying(
        sleep=sleep,
        stop=stop,
        wait=wait,
        retry=tenacity.retry_if_exception_type(Transient),
        before_sleep=on_retry,
        reraise=True,
    )
