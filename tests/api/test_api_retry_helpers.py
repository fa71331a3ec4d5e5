"""The small decisions behind retries and messages."""

from __future__ import annotations

import errno
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx

from lemlist_inbox.api.retry import (
    Redactor,
    RetryPolicy,
    clean_text,
    network_reason,
    parse_retry_after,
    server_message,
)

POLICY = RetryPolicy(max_retry_after=30.0, default_retry_after=1.0)


def test_retry_after_seconds_date_missing_and_garbage() -> None:
    assert parse_retry_after("2", POLICY) == 2.0
    assert parse_retry_after(" 0.5 ", POLICY) == 0.5
    assert parse_retry_after(None, POLICY) == 1.0
    assert parse_retry_after("soon", POLICY) == 1.0
    assert parse_retry_after("nan", POLICY) == 1.0
    assert parse_retry_after("-5", POLICY) == 0.0
    assert parse_retry_after("86400", POLICY) == 30.0, "capped"
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 5.0 <= parse_retry_after(later, POLICY) <= 10.0


def test_clean_text_removes_controls_and_cuts() -> None:
    assert clean_text("a\x1b[31mb\x07c\u202ed\r\ne\tf") == "a[31mbcd e f"
    long = clean_text("word " * 100, limit=50)
    assert len(long) == 50 and long.endswith("…")
    huge = clean_text("x" * 5_000_000)
    assert len(huge) == 200


def test_server_message_replaces_html_and_redacts() -> None:
    redact = Redactor("super-secret-key")
    assert "HTML page" in server_message("<html><b>hi</b></html>", "text/html", redact)
    assert server_message("key super-secret-key bad", "text/plain", redact) == "key <redacted> bad"
    assert server_message("   ", "text/plain", redact) == ""
    assert "super" not in repr(redact)


def test_network_reasons_are_short_and_plain() -> None:
    request = httpx.Request("GET", "https://x.test/api/inbox?userId=u")
    assert network_reason(httpx.ConnectError("All connection attempts failed", request=request), 5) == (
        "connection refused or host unreachable"
    )
    assert network_reason(httpx.ConnectError("[Errno -2] Name or service not known"), 5) == (
        "name or service not known"
    )
    assert "timed out" in network_reason(TimeoutError(), 2.5)
    assert "2.5" in network_reason(httpx.ReadTimeout("x"), 2.5)


def test_network_reason_digs_out_the_socket_error() -> None:
    def wrapped(inner: OSError) -> httpx.ConnectError:
        try:
            try:
                raise inner
            except OSError as exc:
                raise OSError("All connection attempts failed") from exc
        except OSError as outer:
            error = httpx.ConnectError("All connection attempts failed")
            error.__cause__ = outer
            return error

    assert (
        network_reason(wrapped(ConnectionRefusedError(111, "Connect call failed")), 5) == "connection refused"
    )
    assert network_reason(wrapped(socket.gaierror(-2, "Name or service not known")), 5) == "host not found"
    assert network_reason(wrapped(OSError(errno.ENETUNREACH, "x")), 5) == "network is unreachable"
