"""Sending that fails, over loopback HTTP: nothing lost, nothing sent twice.

A 503 keeps the text in the outbox and ``O`` sends it again exactly once; a POST that
timed out (the stand-in did the work, the answer never came) is never resent by
itself, and ``O`` looks for it in the thread and asks; a 4xx says lemlist's words; the
outbox survives a restart and the status says what waits. Counted on the server side.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from reply_helpers import fake_editor, reach_review, reply_tmp, start_reply
from ui_helpers import loaded, local_app, wait_for

import tui_harness
from lemlist_inbox.config import DEFAULT_PREFETCH_THREADS
from lemlist_inbox.demo import DemoServer, Faults
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.reply.ask import Ask
from lemlist_inbox.ui.reply.outbox_screen import OutboxScreen
from lemlist_inbox.ui.reply.review import ReviewScreen
from lemlist_inbox.ui.reply.service_backend import ServiceBackend
from lemlist_inbox.ui.screens.main import MainScreen

__all__ = ["fake_editor", "reply_tmp"]


def stored_app(server: DemoServer, apps: list[InboxApp], data_dir: Path, *, timeout: float = 5.0) -> InboxApp:
    """An app whose local inbox (and so its outbox) lives in ``data_dir``; the prefetch on.

    Registered in ``apps``, so it is shut down after the test."""
    app = local_app(server, data_dir, prefetch_threads=DEFAULT_PREFETCH_THREADS, timeout=timeout)
    apps.append(app)
    return app


def first_write_503() -> Faults:
    """The stand-in answers the first write with a 503 (lemlist said no: not sent), then takes them."""
    return Faults(rate_limit=False, write_failures=1, write_status=503)


async def open_outbox(app: InboxApp, pilot: Any) -> OutboxScreen:
    """``O``, and wait for the outbox screen."""
    await pilot.press("O")
    await wait_for(lambda: isinstance(app.screen, OutboxScreen))
    assert isinstance(app.screen, OutboxScreen)
    return app.screen


def outbox_states(screen: MainScreen) -> list[str]:
    backend = screen.replies.backend
    assert backend is not None
    return [e.state for e in backend.waiting()]


@pytest.fixture
def words(monkeypatch: pytest.MonkeyPatch) -> str:
    text = "Tuesday at ten works for me"
    monkeypatch.setenv("FAKE_EDITOR_BODY", text)
    return text


async def send_one(app: InboxApp, pilot: Any) -> MainScreen:
    screen = await start_reply(app, pilot)
    await reach_review(app, pilot)
    await pilot.press("y")
    await wait_for(lambda: isinstance(app.screen, MainScreen))
    return screen


async def test_503_keeps_the_text_and_a_retry_from_O_sends_it_once(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, words: str, tmp_path: Path
) -> None:
    server: DemoServer = make_server(faults=first_write_503())
    app = stored_app(server, apps, tmp_path / "data")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await send_one(app, pilot)
        await wait_for(lambda: "not sent" in screen.status.state.outbox)
        assert "O" in screen.status.state.outbox
        assert not server.sent()
        assert outbox_states(screen) == ["failed"]
        backend = screen.replies.backend
        assert backend is not None and backend.waiting()[0].text == words
        await open_outbox(app, pilot)
        outbox = app.screen
        assert isinstance(outbox, OutboxScreen) and len(outbox.shown) == 1
        await pilot.press("s")
        await wait_for(lambda: len(server.sent()) == 1)
        await wait_for(lambda: not outbox_states(screen))
        await pilot.press("s")  # nothing left to send: no second POST
        await pilot.pause(0.2)
        assert len(server.sent()) == 1 and words in server.sent()[0].body["message"]
        await pilot.press("escape")
        await wait_for(lambda: isinstance(app.screen, MainScreen))
        await wait_for(lambda: "not sent" not in screen.status.state.outbox)


async def test_a_timeout_is_never_resent_by_itself_and_O_asks(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, words: str, tmp_path: Path
) -> None:
    server: DemoServer = make_server(faults=Faults(rate_limit=False, write_timeouts=1, write_stall=5.0))
    app = stored_app(server, apps, tmp_path / "data", timeout=0.5)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await send_one(app, pilot)
        await wait_for(lambda: "maybe sent" in screen.status.state.outbox)
        assert len(server.sent()) == 1  # the stand-in did it; the answer never came
        assert outbox_states(screen) == ["unknown"]
        await open_outbox(app, pilot)
        await pilot.press("s")
        # The thread is fetched: the reply is there, so the question is whether to drop it.
        await wait_for(lambda: isinstance(app.screen, Ask))
        assert isinstance(app.screen, Ask) and "in the thread already" in app.screen.question
        await pilot.press("n")  # keep it: nothing happens
        await wait_for(lambda: isinstance(app.screen, OutboxScreen))
        assert outbox_states(screen) == ["unknown"] and len(server.sent()) == 1
        await pilot.press("s")
        await wait_for(lambda: isinstance(app.screen, Ask))
        await pilot.press("y")  # it went: crossed off, not sent again
        await wait_for(lambda: not outbox_states(screen))
        await pilot.pause(0.2)
        assert len(server.sent()) == 1


async def test_a_4xx_says_lemlists_words_and_keeps_the_text(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, words: str, tmp_path: Path
) -> None:
    faults = Faults(
        rate_limit=False, write_failures=1, write_status=400, write_message="Mailbox disconnected\x1b[31m"
    )
    server: DemoServer = make_server(faults=faults)
    app = stored_app(server, apps, tmp_path / "data")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await send_one(app, pilot)
        await wait_for(lambda: "not sent" in screen.status.state.outbox)
        said = screen.status.state.outbox
        assert "Mailbox disconnected" in said and "\x1b" not in said and "\n" not in said
        assert outbox_states(screen) == ["failed"] and not server.sent()


async def test_the_outbox_survives_a_restart_and_the_status_says_so(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, words: str, tmp_path: Path
) -> None:
    server: DemoServer = make_server(faults=first_write_503())
    data = tmp_path / "data"
    first = stored_app(server, apps, data)
    async with first.run_test(size=(120, 30)) as pilot:
        screen = await send_one(first, pilot)
        await wait_for(lambda: "not sent" in screen.status.state.outbox)
    second = stored_app(server, apps, data)
    async with second.run_test(size=(120, 30)) as pilot:
        screen = await loaded(second)
        await wait_for(lambda: "1 reply not sent" in screen.status.state.outbox)
        await open_outbox(second, pilot)
        await pilot.press("d")
        await wait_for(lambda: isinstance(second.screen, Ask))
        await pilot.press("y")
        await wait_for(lambda: not outbox_states(screen))
    assert not server.sent()


async def test_e_in_the_outbox_edits_a_failed_reply_and_sends_the_new_text_once(
    make_server: Any,
    apps: list[InboxApp],
    fake_editor: Path,
    words: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server: DemoServer = make_server(faults=first_write_503())
    app = stored_app(server, apps, tmp_path / "data")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await send_one(app, pilot)
        await wait_for(lambda: outbox_states(screen) == ["failed"])
        monkeypatch.setenv("FAKE_EDITOR_BODY", "Wednesday at ten, rather")
        await open_outbox(app, pilot)
        await pilot.press("e")
        review = await reach_review(app, pilot)
        assert review.reply is not None and review.reply.body == "Wednesday at ten, rather"
        await pilot.press("y")
        await wait_for(lambda: len(server.sent()) == 1)
        await wait_for(lambda: not outbox_states(screen))
        assert "Wednesday at ten, rather" in server.sent()[0].body["message"]
        assert words not in server.sent()[0].body["message"]


async def test_maybe_sent_but_not_in_the_thread_is_resent_only_after_a_yes(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, words: str, tmp_path: Path
) -> None:
    server: DemoServer = make_server(faults=first_write_503())
    app = stored_app(server, apps, tmp_path / "data")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await send_one(app, pilot)
        await wait_for(lambda: outbox_states(screen) == ["failed"])
        # As after a timeout whose request never reached lemlist: "maybe sent", not in the thread.
        backend = screen.replies.backend
        assert isinstance(backend, ServiceBackend)
        entry = backend.waiting()[0]
        backend.service.outbox.unknown(entry.id, "no answer within 5 s")
        await open_outbox(app, pilot)
        await pilot.press("s")
        await wait_for(lambda: isinstance(app.screen, Ask))
        assert isinstance(app.screen, Ask) and "not in the thread" in app.screen.question
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, OutboxScreen))
        await pilot.pause(0.2)
        assert not server.sent() and outbox_states(screen) == ["unknown"]
        await pilot.press("s")
        await wait_for(lambda: isinstance(app.screen, Ask))
        await pilot.press("y")
        await wait_for(lambda: len(server.sent()) == 1)
        await wait_for(lambda: not outbox_states(screen))
        assert len(server.sent()) == 1


async def test_the_draft_limit_is_said_and_the_text_kept(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, words: str, tmp_path: Path
) -> None:
    server: DemoServer = make_server()
    app = stored_app(server, apps, tmp_path / "data")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await loaded(app)
        entry = screen.store.view_at(0)
        assert entry.thread_id is not None
        for number in range(10):
            server.outgoing.seed_draft(
                entry.thread_id, tui_harness.first_user(server), content=f"<p>draft {number}</p>"
            )
        await pilot.press("enter")
        await wait_for(lambda: screen.thread.state == "thread")
        await pilot.press("R")
        await reach_review(app, pilot)
        writes = len(server.writes)
        await pilot.press("p")
        await wait_for(lambda: any("10 drafts" in str(n.message) for n in app._notifications))
        assert isinstance(app.screen, ReviewScreen)  # back to the review: the text is kept
        assert len(server.writes) == writes
