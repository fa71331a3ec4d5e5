"""Mark-as-read while offline, through the real TUI, and the quit contract end to end.

A conversation opened while its mark cannot be sent stays owed: retried in the
background (never silently dropped while the app runs) and landed once the server
takes it. On quit the pending marks get one last short chance; the ones still unsent
are what ``InboxApp.run()`` returns, and the CLI (``cli._run_tui``) prints one line
about them on stderr and exits 1, unless they are kept in the local inbox, which sends
them on the next start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lemlist_inbox import cli
from lemlist_inbox.api import LemlistClient
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DemoServer
from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.local import DATA_DIR_ENV, StoreOptions
from lemlist_inbox.ui import app as app_module
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from secret_keys import FAULTS_KEY
from tui_harness import FAST_POLICY, ServerFactory, first_user, loaded, make_app, run_loaded, wait_for


@pytest.fixture
def server(make_server: ServerFactory) -> DemoServer:
    return make_server(20, api_key=FAULTS_KEY)


def mark_requests(server: DemoServer, contact_id: str) -> list[int]:
    """Statuses of the markAsRead requests the server saw for one contact."""
    return [
        record.status
        for record in server.requests("/api/inbox/")
        if record.query.get("markAsRead") == "true" and record.path.endswith("/" + contact_id)
    ]


def first_unread(screen: MainScreen) -> int:
    return next(i for i in range(screen.store.view_size) if screen.store.view_at(i).unread)


async def prefetched(screen: MainScreen, index: int) -> None:
    """The cursor rests on row ``index`` until its thread is prefetched.

    A mark is owed only for a thread on screen: prefetched, the row opens from the
    cache with the link down, and its mark is the one request that fails.
    """
    entry = screen.store.view_at(index)
    screen.conversation_list.move_to(index)
    await wait_for(lambda: entry.id in screen.thread._cache)


async def open_row(pilot: Pilot[Any], screen: MainScreen, index: int) -> tuple[str, str]:
    entry = screen.store.view_at(index)
    screen.conversation_list.move_to(index)
    await pilot.press("enter")
    await wait_for(lambda: screen.thread.current_conversation_id == entry.id)
    contact = entry.conversation.thread_id
    assert contact is not None
    return entry.id, contact


async def pending_mark(pilot: Pilot[Any], server: DemoServer, screen: MainScreen) -> tuple[str, str]:
    """Open the first unread row (prefetched) while every thread request fails, until its
    mark is pending; then the link is back (the background retry is 1 s away)."""
    await prefetched(screen, first_unread(screen))
    server.faults.paths = ("/api/inbox/",)
    server.faults.error_every = 1
    conversation_id, contact = await open_row(pilot, screen, first_unread(screen))
    await wait_for(lambda: screen.thread.mark_queue.is_pending(conversation_id))
    server.faults.error_every = 0
    return conversation_id, contact


async def test_mark_failing_is_retried_in_the_background_until_it_lands(
    server: DemoServer, apps: list[InboxApp]
) -> None:
    app = make_app(server, FAULTS_KEY, max_retries=0)
    async with run_loaded(app, apps) as (pilot, screen):
        user = first_user(server)
        await prefetched(screen, first_unread(screen))
        # every request for a thread (and so every mark) fails from now on
        server.faults.paths = ("/api/inbox/",)
        server.faults.error_every = 1
        conversation_id, contact = await open_row(pilot, screen, first_unread(screen))
        queue = screen.thread.mark_queue
        await wait_for(lambda: len(mark_requests(server, contact)) >= 2, timeout=10)
        assert set(mark_requests(server, contact)) == {500}, "tried, failed, tried again"
        assert queue.is_pending(conversation_id), "kept while it cannot be sent"
        assert screen.store.get(conversation_id).unread  # type: ignore[union-attr]
        assert server.dataset.is_read(contact, user) is False
        # the keys still work meanwhile
        await pilot.press("escape", "j", "k")
        server.faults.error_every = 0  # the link is back
        await wait_for(lambda: not queue.is_pending(conversation_id), timeout=10)
        assert mark_requests(server, contact)[-1] == 200
        assert server.dataset.is_read(contact, user) is True
        await wait_for(lambda: not screen.store.get(conversation_id).unread)  # type: ignore[union-attr]
        assert len(queue) == 0


async def test_quit_flushes_pending_marks_when_the_server_is_back(
    server: DemoServer, apps: list[InboxApp]
) -> None:
    app = make_app(server, FAULTS_KEY, max_retries=0)
    async with run_loaded(app, apps) as (pilot, screen):
        _, contact = await pending_mark(pilot, server, screen)
        await pilot.press("q")  # before the background retry (1 s backoff) fires
        await wait_for(lambda: app.return_value is not None, timeout=10)
    assert app.return_value == [], "the flush on quit sent it"
    assert server.dataset.is_read(contact, first_user(server)) is True


async def test_quit_gives_up_after_a_short_timeout_and_returns_unsent(
    server: DemoServer, apps: list[InboxApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that hangs on the mark: quit still returns, within the flush timeout."""
    monkeypatch.setattr(app_module, "FLUSH_TIMEOUT", 0.5)
    app = make_app(server, FAULTS_KEY, max_retries=0)
    async with run_loaded(app, apps) as (pilot, screen):
        conversation_id, _ = await pending_mark(pilot, server, screen)
        server.faults.latency = 3.0  # the flush's request hangs past the timeout
        await pilot.press("q")
        await wait_for(lambda: app.return_value is not None, timeout=10)
        server.faults.latency = 0.0
    assert app.return_value == [conversation_id]
    assert app.unsent_marks == [conversation_id]


def run_tui_losing_a_mark(server: DemoServer, monkeypatch: pytest.MonkeyPatch) -> tuple[int, dict[str, Any]]:
    """``cli._run_tui``, driven: open an unread row, lose the link, quit."""
    real_run = InboxApp.run
    seen: dict[str, Any] = {}

    def headless_run(self: InboxApp, **kwargs: Any) -> Any:
        async def drive(pilot: Pilot[list[str]]) -> None:
            screen = await loaded(self)
            await prefetched(screen, first_unread(screen))
            server.stop()  # offline from here on
            conversation_id, _ = await open_row(pilot, screen, first_unread(screen))
            seen["id"] = conversation_id
            await wait_for(lambda: screen.thread.state != "loading")
            await pilot.press("q")

        result = real_run(self, headless=True, size=(120, 30), auto_pilot=drive)
        seen["result"] = result
        return result

    def fast_client(settings: Settings) -> LemlistClient:
        assert settings.api_key is not None
        return LemlistClient(
            settings.api_key, base_url=settings.base_url, retry_policy=FAST_POLICY, max_retries=1
        )

    monkeypatch.setattr(InboxApp, "run", headless_run)
    monkeypatch.setattr(cli, "_client", fast_client)
    monkeypatch.setattr(app_module, "FLUSH_TIMEOUT", 0.5)
    settings = Settings(api_key=FAULTS_KEY, base_url=server.base_url, user_id=first_user(server))
    settings.refresh_interval = 0
    return cli._run_tui(settings, demo=False), seen


def test_cli_reports_marks_that_could_not_be_sent(
    server: DemoServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """End to end through ``cli._run_tui``: run() returns the unsent ids, the CLI says so
    (here no local inbox can keep them: the data dir is a file)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv(DATA_DIR_ENV, str(blocker))
    code, seen = run_tui_losing_a_mark(server, monkeypatch)
    err = capsys.readouterr().err
    assert seen["result"] == [seen["id"]]
    assert code == cli.EXIT_ERROR
    assert "1 conversation(s) could not be marked read" in err
    assert err.count("\n") == 1, "one line"
    assert FAULTS_KEY not in err


def test_cli_keeps_unsent_marks_in_the_local_inbox_for_the_next_start(
    server: DemoServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    private_data_dir: Path,
) -> None:
    """With a local inbox, a mark the link lost is written down, not lost: no error, one
    line saying it waits for the next start."""
    code, seen = run_tui_losing_a_mark(server, monkeypatch)
    assert seen["result"] == []
    assert code == cli.EXIT_OK
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "1 read mark(s) not sent yet" in err[0] and "next start" in err[0], err
    path = StoreOptions(private_data_dir, server.base_url).path_for(first_user(server))
    db = InboxDatabase.open(path)
    assert [mark.conversation_id for mark in db.pending_marks()] == [seen["id"]]
    db.close()
