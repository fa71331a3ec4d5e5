"""What the list and the status line say when the conversations could not be loaded.

One place decides the wording and whether ``r`` is offered: a network or server
failure may pass, so a retry is offered; a rejected key is not fixed by retrying (the
client keeps the key it was started with), so the way out is to fix the key and start
again. Pure (no Textual), so the wording is tested without an app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lemlist_inbox.api.errors import AuthError, describe_error
from lemlist_inbox.render import sanitize_line

RETRY_HINT = "r to retry"


@dataclass(frozen=True)
class LoadFailure:
    """One failed load, as the screen shows it."""

    #: The status line's text: what failed, one line (the api's message, sanitized).
    message: str
    #: The list's text when nothing is loaded: what failed, shorter where it can be.
    summary: str
    #: What to do about it (shown beside ``summary`` in the list).
    hint: str
    #: Whether ``r`` can help; when not, nothing offers it.
    retry: bool
    #: A longer word for a notification (where the config file is), or "" for none.
    notice: str = ""


def describe_failure(error: BaseException, config_path: Path | None = None) -> LoadFailure:
    """The failure of a load as the user reads it (never the key, never a traceback)."""
    message = sanitize_line(describe_error(error))
    if isinstance(error, AuthError):
        where = f"in {sanitize_line(str(config_path))}" if config_path is not None else "in the config file"
        return LoadFailure(
            message=f"API key rejected: {message}",
            summary="API key rejected",
            hint="fix LEMLIST_API_KEY or api_key in the config, then restart",
            retry=False,
            notice=(
                f"API key rejected: {message}. Set LEMLIST_API_KEY, or api_key / api_key_command "
                f"{where}, to a valid key and start again."
            ),
        )
    return LoadFailure(message=message, summary=message, hint=RETRY_HINT, retry=True)
