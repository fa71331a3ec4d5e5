"""Drafts between the TUI and the CLI, over loopback HTTP: one lemlist, two front ends.

A draft postponed in the TUI (``p``) is listed by ``lemlist-inbox drafts``; a draft
saved by ``lemlist-inbox reply --draft`` is announced when its conversation opens in
the TUI, offered by ``R``, opens in the editor with its text, and is deleted once the
reply sent from it is confirmed.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from reply_helpers import fake_editor, reach_review, registered_app, reply_tmp
from ui_helpers import loaded, wait_for

from cli_runner import run_cli
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.reply.ask import Choose
from lemlist_inbox.ui.reply.review import ReviewScreen
from lemlist_inbox.ui.screens.main import MainScreen

__all__ = ["fake_editor", "reply_tmp"]


async def cli(server: DemoServer, tmp_path: Path, *args: str, stdin: str = "") -> Any:
    """``lemlist-inbox`` in a child process against the stand-in (off the event loop)."""
    env = {
        "LEMLIST_API_KEY": DEMO_API_KEY,
        "LEMLIST_INBOX_CONFIG": str(tmp_path / "cli" / "config.toml"),
        "LEMLIST_INBOX_DATA": str(tmp_path / "cli" / "data"),
    }
    user = str(server.dataset.users[0]["userId"])
    full = ("--base-url", server.base_url, "--user-id", user, *args)
    if stdin:
        message = tmp_path / "message.txt"
        message.write_text(stdin, encoding="utf-8")
        full = (*full, "--message-file", str(message))
    return await asyncio.to_thread(run_cli, *full, env=env)


async def open_row(app: InboxApp, pilot: Any, row: int) -> MainScreen:
    screen = await loaded(app)
    for _ in range(row):
        await pilot.press("j")
    await pilot.press("enter")
    await wait_for(lambda: screen.thread.state == "thread")
    return screen


async def test_a_draft_postponed_in_the_tui_is_listed_by_the_cli(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "Postponed from the terminal")
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_row(app, pilot, 3)
        entry = screen.store.get(screen.thread.current_conversation_id or "")
        assert entry is not None and entry.thread_id is not None
        contact = entry.thread_id
        await pilot.press("R")
        await reach_review(app, pilot)
        await pilot.press("p")
        await wait_for(lambda: isinstance(app.screen, MainScreen))
        await wait_for(lambda: any(w.method == "POST" and "/drafts" in w.path for w in server.writes))
    listed = await cli(server, tmp_path, "drafts", contact, "--json")
    assert listed.returncode == 0, listed.stderr
    drafts = json.loads(listed.stdout)
    assert any("Postponed from the terminal" in (d.get("contentPreview") or "") for d in drafts)
    assert not server.sent()


async def test_a_cli_draft_is_announced_offered_by_R_and_deleted_once_sent(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await loaded(app)
        entry = screen.store.view_at(4)
        assert entry.thread_id is not None
        contact = entry.thread_id
        saved = await cli(server, tmp_path, "reply", contact, "--draft", "--yes", stdin="Drafted in a shell")
        assert saved.returncode == 0, saved.stderr
        await open_row(app, pilot, 4)
        await wait_for(lambda: "1 draft here" in screen.status.state.outbox)
        # The editor keeps the draft's words and adds a line: the reply sent is the draft, continued.
        monkeypatch.setenv("FAKE_EDITOR_KEEP_BODY", "1")
        monkeypatch.setenv("FAKE_EDITOR_BODY", "and one more line")
        await pilot.press("R")
        await wait_for(lambda: isinstance(app.screen, Choose))
        choose = app.screen
        assert isinstance(choose, Choose) and "Drafted in a shell" in choose.options[0]
        await pilot.press("enter")  # continue it
        await wait_for(lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.reply is not None
        assert review.reply.body.startswith("Drafted in a shell") and "and one more line" in review.reply.body
        await pilot.press("y")
        await wait_for(lambda: len(server.sent()) == 1)
        await wait_for(lambda: any(w.method == "DELETE" and "/drafts/" in w.path for w in server.writes))
        await wait_for(lambda: "draft here" not in screen.status.state.outbox)
    listed = await cli(server, tmp_path, "drafts", contact, "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
