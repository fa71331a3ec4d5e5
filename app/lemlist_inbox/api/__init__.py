"""The lemlist API layer: HTTP client, models, pagination, rate limiting. No Textual here.

Only the error types load with the package: they are plain Python, and the UI needs
them to *name* failures on its first screen. The client (httpx, tenacity) and the
models (pydantic) cost about 170 ms of CPU to import on a small server, which the TUI
spends after its first frame instead of before it (benchmark row "1 start-up: heavy modules"), so every other
name here loads on first use (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lemlist_inbox.api import errors
from lemlist_inbox.api.defaults import DEFAULT_BASE_URL
from lemlist_inbox.api.errors import (
    AuthError,
    BadRequestError,
    DraftLimitError,
    InvalidResponseError,
    LemlistError,
    NetworkError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitedError,
    ServerError,
    UncertainWriteError,
)
from lemlist_inbox.lazy import lazy_getattr

if TYPE_CHECKING:
    from lemlist_inbox.api import models
    from lemlist_inbox.api.client import ClientStats, LemlistClient, Thread
    from lemlist_inbox.api.ratelimit import RateLimiter
    from lemlist_inbox.api.retry import RetryPolicy

#: Lazily loaded name -> the module that defines it (``None``: the module itself).
_LAZY: dict[str, str | None] = {
    "models": None,
    "ClientStats": "client",
    "LemlistClient": "client",
    "Thread": "client",
    "RateLimiter": "ratelimit",
    "RetryPolicy": "retry",
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


__all__ = [
    "DEFAULT_BASE_URL",
    "AuthError",
    "BadRequestError",
    "ClientStats",
    "DraftLimitError",
    "InvalidResponseError",
    "LemlistClient",
    "LemlistError",
    "NetworkError",
    "NotFoundError",
    "PaymentRequiredError",
    "RateLimitedError",
    "RateLimiter",
    "RetryPolicy",
    "ServerError",
    "Thread",
    "UncertainWriteError",
    "errors",
    "models",
]
