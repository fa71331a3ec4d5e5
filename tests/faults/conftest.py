"""Fixtures from the TUI harness: ``make_server`` (stand-ins stopped at teardown) and
``apps`` (their clients closed at teardown), and a private data dir for every test."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from lemlist_inbox.inbox.local import DATA_DIR_ENV
from tui_harness import apps, make_server

__all__ = ["apps", "make_server", "private_data_dir"]


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Local inboxes of anything started the CLI's way go to a tmp dir, never the
    developer's data dir (``InboxApp`` built directly keeps nothing unless told)."""
    folder = tmp_path / "lemlist-inbox-data"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    yield folder
