"""Logging set-up with the API key redacted from every record.

Logs go to a file only (``LEMLIST_INBOX_LOG=path``): stderr belongs to the TUI's screen.
The redaction filter is a second line of defence: no code logs the key on purpose, but a
library exception text or a debug dump might, and a log file is easy to paste in a bug report.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

REDACTED = "<redacted>"


class RedactFilter(logging.Filter):
    """Replaces each secret in a record's formatted message and arguments."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        text = record.exc_text or ""
        for secret in self.secrets:
            message = message.replace(secret, REDACTED)
            text = text.replace(secret, REDACTED)
        record.msg, record.args = message, None
        if record.exc_text:
            record.exc_text = text
        return True


def configure_logging(secret: str | None, *, path: str | None = None) -> Path | None:
    """Send ``lemlist_inbox`` and ``httpx`` logs to a file if asked; never to the terminal."""
    target = path or os.environ.get("LEMLIST_INBOX_LOG")
    root = logging.getLogger("lemlist_inbox")
    root.propagate = False
    if not target:
        root.addHandler(logging.NullHandler())
        return None
    log_path = Path(target).expanduser()
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter([secret] if secret else []))
    for name in ("lemlist_inbox", "httpx"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    return log_path


# --------------------------------------------------------------------------- crashes

#: The crash log's name in the platform's log folder, when ``LEMLIST_INBOX_LOG`` is not set.
CRASH_LOG_NAME = "crash.log"


def crash_log_path(env: dict[str, str] | None = None) -> Path:
    """Where a crash's traceback goes: ``LEMLIST_INBOX_LOG`` (the log the user asked for,
    so everything is in one place), else ``crash.log`` in the platform's log folder
    (``~/.local/state/lemlist-inbox/log`` on Linux)."""
    env = dict(os.environ) if env is None else env
    target = env.get("LEMLIST_INBOX_LOG")
    if target:
        return Path(target).expanduser()
    import platformdirs

    return Path(platformdirs.user_log_dir("lemlist-inbox")) / CRASH_LOG_NAME


def redact_secret(text: str, secret: str | None) -> str:
    """``text`` without the API key, nor its Basic-auth encoding (what httpx sends)."""
    if not secret or len(secret) < 4:
        return text
    import base64

    for form in (secret, base64.b64encode(f":{secret}".encode()).decode("ascii")):
        text = text.replace(form, REDACTED)
    return text


def write_crash_log(error: BaseException, secret: str | None, *, path: Path | None = None) -> Path:
    """Append ``error``'s full traceback (chained causes included, no local variables, the
    key redacted) to the crash log, created 0600 in a 0700 folder; returns where.

    Raises ``OSError`` when it cannot be written: the caller still has a line to print.
    """
    import traceback
    from datetime import datetime

    target = path or crash_log_path()
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    text = "".join(traceback.format_exception(error))
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    record = redact_secret(f"{stamp} CRITICAL lemlist_inbox: crashed\n{text}\n", secret)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
        handle.write(record)
    return target


def crash_summary(error: BaseException, secret: str | None, limit: int = 160) -> str:
    """``ValueError: bad thing``: one printable line (control characters dropped, the key
    redacted after cleaning so a key split by invisible characters is found, then cut)."""
    from lemlist_inbox.render.sanitize import sanitize_line

    message = redact_secret(sanitize_line(str(error), 10_000), secret)
    name = type(error).__name__
    line = f"{name}: {message}" if message else name
    return line if len(line) <= limit else line[: limit - 3].rstrip() + "..."
