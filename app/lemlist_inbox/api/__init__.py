"""The lemlist API layer: HTTP client, models, pagination, rate limiting. No Textual here."""

from lemlist_inbox.api import errors, models
from lemlist_inbox.api.client import DEFAULT_BASE_URL, ClientStats, LemlistClient, Thread
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
)
from lemlist_inbox.api.ratelimit import RateLimiter
from lemlist_inbox.api.retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "AuthError",
    "BadRequestError",
    "ClientStats",
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
    "errors",
    "models",
]
