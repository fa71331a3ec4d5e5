"""What the thread pane says when a conversation cannot be loaded: one line, never a traceback."""

from __future__ import annotations

from lemlist_inbox.api.errors import (
    AuthError,
    BadRequestError,
    InvalidResponseError,
    LemlistError,
    NetworkError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitedError,
    ServerError,
    describe_error,
)
from lemlist_inbox.render import sanitize_line

__all__ = ["error_line"]

_RETRY = "press r here or open the conversation again to retry"

#: What went wrong and what to do, by error class: the first match wins, so a
#: subclass comes before its base (``NetworkError`` before ``ServerError``).
_ERROR_LINES: tuple[tuple[type[BaseException], str], ...] = (
    (NotFoundError, "This conversation was not found on lemlist ({reason}). Refresh the list with r."),
    (AuthError, "lemlist refused the API key ({reason}). Check the key, then restart."),
    (PaymentRequiredError, "lemlist refused this request for the plan or credits ({reason})."),
    (BadRequestError, "lemlist rejected the request ({reason}); {retry}."),
    (NetworkError, "Could not reach lemlist ({reason}); {retry}."),
    (RateLimitedError, "lemlist is rate limiting us ({reason}); wait a moment, then {retry}."),
    (ServerError, "lemlist had a server error ({reason}); {retry}."),
    (
        InvalidResponseError,
        "The server's answer was not lemlist's API ({reason}); check the base URL, then {retry}.",
    ),
    (LemlistError, "Could not load this conversation ({reason}); {retry}."),
    (BaseException, "Could not show this conversation ({reason}); {retry}."),
)


def error_line(exc: BaseException) -> str:
    """One clear line for the pane: what went wrong and how to try again. Never a traceback."""
    reason = sanitize_line(describe_error(exc), 300)
    template = next(line for kind, line in _ERROR_LINES if isinstance(exc, kind))
    # Only the template is parsed by ``format``; braces in the (server's) reason stay literal.
    return template.format(reason=reason, retry=_RETRY)
