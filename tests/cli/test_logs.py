"""The log file never holds the API key, whatever a library puts in a message."""

from __future__ import annotations

import logging
from pathlib import Path

from lemlist_inbox.logs import REDACTED, configure_logging

KEY = "log-secret-key-77aa"


def test_key_is_redacted_from_messages_args_and_tracebacks(tmp_path: Path) -> None:
    path = configure_logging(KEY, path=str(tmp_path / "app.log"))
    assert path is not None
    log = logging.getLogger("lemlist_inbox.test")
    log.info("header was Basic :%s", KEY)
    try:
        raise RuntimeError(f"boom {KEY}")
    except RuntimeError:
        log.exception("failed with %s", KEY)
    logging.getLogger("httpx").debug("request with %s", KEY)
    for handler in logging.getLogger("lemlist_inbox").handlers:
        handler.flush()
    text = path.read_text()
    assert KEY not in text
    assert text.count(REDACTED) >= 4
    assert (path.stat().st_mode & 0o077) == 0, "the log file is private"
    for name in ("lemlist_inbox", "httpx"):
        for handler in list(logging.getLogger(name).handlers):
            logging.getLogger(name).removeHandler(handler)
            handler.close()
