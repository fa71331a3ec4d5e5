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
