"""Typed errors of the API layer.

Every failure the user can meet is one of these, carrying the server's plain-text
message, so the CLI and the TUI can show one clear line instead of a traceback.
None of them ever holds the API key: messages are built from status codes and
server bodies only, and bodies are cut and cleaned of control characters.
"""

from __future__ import annotations


class LemlistError(Exception):
    """Base of every error the api layer raises."""

    #: A short, user-facing explanation; ``str(err)`` gives the same.
    message: str
    status: int | None

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class AuthError(LemlistError):
    """401/403: the key is wrong, revoked or its user is blocked. Never retried."""


class BadRequestError(LemlistError):
    """400: e.g. "User ID is required", "User not in team", "Bad team"."""


class NotFoundError(LemlistError):
    """404: unknown contact, or no user for this key."""


class PaymentRequiredError(LemlistError):
    """402: the plan or credits do not allow this call."""


class RateLimitedError(LemlistError):
    """429 still returned after the retry budget was spent."""


class ServerError(LemlistError):
    """5xx after retries, or the server could not be reached at all."""


class NetworkError(ServerError):
    """Connection refused/reset, DNS failure or timeout, after retries."""


class InvalidIdError(LemlistError):
    """An id that cannot safely name a URL path segment; refused before any request."""


class TooLargeError(LemlistError):
    """The server sent more than we agree to hold for one answer; never retried."""


class InvalidResponseError(LemlistError):
    """A 200 whose body is not the JSON we expect (wrong base URL, proxy page, truncation)."""


class UncertainWriteError(LemlistError):
    """A write (send, draft) left but no clear answer came back: lemlist *may* have done it.

    A timeout or a dropped connection after the request was out, a 500/502/504 (a gateway
    can fail after the service acted), or a 2xx that is not lemlist's JSON. Never resent by
    the client: resending could send a reply twice. The caller keeps it as "unknown" and
    checks the thread before asking the user (``inbox.outbox``).
    """


class DraftLimitError(BadRequestError):
    """lemlist's draft limits (30 KB of content, 10 drafts a conversation); said before or after asking."""


def describe_error(exc: BaseException) -> str:
    """One line a person can act on, for a status line or a mark's last failure.

    The api's own errors carry a clean message that never holds the key. Anything
    else (a bug, an exception no layer wrapped) is named by its class only: its text
    could quote a request, and a status line is no traceback.
    """
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, LemlistError):
        return text or exc.__class__.__name__
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"unexpected error: {exc.__class__.__name__}"
