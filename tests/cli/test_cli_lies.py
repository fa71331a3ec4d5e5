"""The command line against servers that lie: a bounded result says it is bounded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import run_cli
from lemlist_inbox.api.client import MAX_THREAD_MESSAGES
from lemlist_inbox.demo import DemoServer, Faults

KEY = "cli-lies-key-3b8e1d"


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=5, api_key=KEY, seed=4, faults=Faults(rate_limit=False)) as srv:
        yield srv


def test_show_of_a_thread_that_never_ends_says_it_was_cut(server: DemoServer, tmp_path: Path) -> None:
    """The client stops at ``MAX_THREAD_MESSAGES``; exit 0 with no word of it read as the whole thread."""
    server.faults.lie = "endless-thread"
    contact = str(server.dataset.conversations[0]["contactId"])
    env = {"LEMLIST_INBOX_CONFIG": str(tmp_path / "config.toml"), "LEMLIST_API_KEY": KEY}
    result = run_cli("--base-url", server.base_url, "show", contact, "--json", env=env)
    assert result.returncode == 0, result.stderr
    assert f"thread truncated at {MAX_THREAD_MESSAGES} messages" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
