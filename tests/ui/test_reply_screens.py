"""Replying in the TUI, over real loopback HTTP against the demo stand-in: the scripted
``$EDITOR`` and the in-app editor, the review screen's keys, drafts.

Each test counts what the *server* acted on (``DemoServer.sent``, ``writes``), never what
the client thinks it did. Sending after failures (503, timeouts, the outbox screen)
is in ``test_reply_outbox``.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from reply_helpers import editor_runs, fake_editor, reach_review, registered_app, reply_tmp, start_reply
from ui_helpers import loaded, wait_for

from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.reply.ask import Ask, Choose
from lemlist_inbox.ui.reply.internal_editor import InternalEditor
from lemlist_inbox.ui.reply.review import ReviewScreen
from lemlist_inbox.ui.screens.main import MainScreen

__all__ = ["fake_editor", "reply_tmp"]


async def test_editor_script_reply_is_posted_escaped_with_the_thread_fields(
    make_server: Any,
    apps: list[InboxApp],
    fake_editor: Path,
    reply_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "Thanks <b>&</b>\n<script>alert(1)</script>")
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        opened = await start_reply(app, pilot, row=2)
        replied = opened.thread.current_conversation_id
        screen = await reach_review(app, pilot)
        assert screen.reply is not None
        assert screen.reply.body == "Thanks <b>&</b>\n<script>alert(1)</script>"
        preview = screen.query_one("#review-preview").text  # type: ignore[attr-defined]
        assert "Thanks <b>&</b>" in preview and "<script>alert(1)</script>" in preview
        files = list(reply_tmp.glob("lemlist-reply-*/reply.txt"))
        assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
        assert not server.sent()  # nothing without y
        await pilot.press("y")
        await wait_for(lambda: len(server.sent()) == 1)
        body = server.sent()[0].body
        assert "&lt;b&gt;&amp;&lt;/b&gt;" in body["message"]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body["message"] and "<script" not in body["message"]
        for name in ("replyToActivityId", "sendUserId", "sendUserEmail", "sendUserMailboxId", "contactId"):
            assert body.get(name), name
        assert editor_runs(fake_editor) == 1
        main = await loaded(app)
        await wait_for(lambda: "<script>alert(1)</script>" in main.thread.layout_text)
        await wait_for(lambda: main.store.view_at(0).id == replied)
        await wait_for(lambda: not list(reply_tmp.glob("lemlist-reply-*")))
        assert "sent to" in main.status.state.outbox


async def test_e_edits_again_n_asks_p_postpones_as_a_lemlist_draft(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "first words")
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        opened = await start_reply(app, pilot)
        await reach_review(app, pilot)
        monkeypatch.setenv("FAKE_EDITOR_BODY", "second words")
        await pilot.press("e")
        await wait_for(
            lambda: (
                isinstance(app.screen, ReviewScreen)
                and app.screen.reply is not None
                and app.screen.reply.body == "second words"
            )
        )
        assert editor_runs(fake_editor) == 2
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, Ask))
        await pilot.press("n")  # no: back to the review, nothing lost
        await wait_for(lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("p")
        await wait_for(lambda: isinstance(app.screen, MainScreen))
        contact = opened.store.get(opened.thread.current_conversation_id or "")
        assert contact is not None and contact.thread_id is not None
        drafts = await app.client.drafts(contact.thread_id, opened.user_id or "")
        assert [d.content_preview for d in drafts if "second words" in (d.content_preview or "")]
        assert not server.sent()


async def test_n_discards_after_asking_and_nothing_is_sent(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "words I do not want")
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        await start_reply(app, pilot)
        await reach_review(app, pilot)
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, Ask))
        await pilot.press("y")
        await wait_for(lambda: isinstance(app.screen, MainScreen))
        await pilot.pause(0.1)
        assert not server.writes


async def test_empty_or_unchanged_reply_is_never_sent(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "   ")
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        await start_reply(app, pilot)
        screen = await reach_review(app, pilot)
        assert screen.problem is not None and "empty" in screen.problem
        await pilot.press("y")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ReviewScreen) and not server.writes
        await pilot.press("n")  # nothing written: dropped without a question
        await wait_for(lambda: isinstance(app.screen, MainScreen))
        assert not server.writes


async def test_in_app_editor_when_the_terminal_cannot_be_handed_over(
    make_server: Any, apps: list[InboxApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real editor set, but headless: App.suspend raises SuspendNotSupported.
    monkeypatch.setenv("EDITOR", "vi")
    monkeypatch.delenv("VISUAL", raising=False)
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        await start_reply(app, pilot)
        await wait_for(lambda: isinstance(app.screen, InternalEditor | Choose))
        if isinstance(app.screen, Choose):
            await pilot.press("end", "enter")
        await wait_for(lambda: isinstance(app.screen, InternalEditor))
        await pilot.press(*"Hello from the app")
        await pilot.press("ctrl+s")
        screen = await reach_review(app, pilot)
        assert screen.reply is not None and screen.reply.body == "Hello from the app"
        await pilot.press("y")
        await wait_for(lambda: len(server.sent()) == 1)
        assert "Hello from the app" in server.sent()[0].body["message"]


async def test_editor_internal_setting_opens_the_in_app_editor(
    make_server: Any, apps: list[InboxApp], fake_editor: Path
) -> None:
    _server, app = registered_app(make_server, apps)
    app.settings.editor = "internal"
    async with app.run_test(size=(120, 30)) as pilot:
        await start_reply(app, pilot)
        await wait_for(lambda: isinstance(app.screen, InternalEditor | Choose))
        if isinstance(app.screen, Choose):
            await pilot.press("end", "enter")
        await wait_for(lambda: isinstance(app.screen, InternalEditor))
        await pilot.press("escape")  # done: the review, where the template alone is refused
        screen = await reach_review(app, pilot)
        assert screen.problem is not None and "empty" in screen.problem
    assert editor_runs(fake_editor) == 0


async def test_reply_keys_are_bound_and_in_the_help() -> None:
    from lemlist_inbox.ui.keys import HELP
    from lemlist_inbox.ui.reply.outbox_screen import OutboxScreen

    def keys(bindings: Any) -> set[str]:
        out: set[str] = set()
        for binding in bindings:
            key = binding.key if hasattr(binding, "key") else binding[0]
            out.update(key.split(","))
        return out

    assert {"R", "O"} <= keys(MainScreen.BINDINGS)
    assert {"y", "e", "p", "n"} <= keys(ReviewScreen.BINDINGS)
    assert {"s", "e", "d"} <= keys(OutboxScreen.BINDINGS)
    assert {"ctrl+s", "escape"} <= keys(InternalEditor.BINDINGS)
    helped = {k for _section, rows in HELP for k, _ in rows}
    assert {"R", "O", "y", "e", "p", "n"} <= helped


async def test_quitting_with_a_reply_open_asks_and_keeps_its_file(
    make_server: Any,
    apps: list[InboxApp],
    fake_editor: Path,
    reply_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "half a thought")
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        await start_reply(app, pilot)
        await reach_review(app, pilot)
        await pilot.press("ctrl+c")
        await wait_for(lambda: isinstance(app.screen, Ask))
        assert isinstance(app.screen, Ask) and "reply.txt" in app.screen.question
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("ctrl+c")
        await wait_for(lambda: isinstance(app.screen, Ask))
        await pilot.press("y")
        await wait_for(lambda: app.return_value is not None)
    kept = list(reply_tmp.glob("lemlist-reply-*/reply.txt"))
    assert len(kept) == 1 and "half a thought" in kept[0].read_text(encoding="utf-8")
    assert not server.writes


async def test_R_on_a_list_row_answers_that_row(
    make_server: Any, apps: list[InboxApp], fake_editor: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "from the list")
    server, app = registered_app(make_server, apps)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await loaded(app)
        await pilot.press("j", "j", "j")
        row = screen.store.view_at(3)
        assert screen.thread.current_conversation_id is None  # nothing opened
        await pilot.press("R")
        await reach_review(app, pilot)
        await pilot.press("y")
        await wait_for(lambda: len(server.sent()) == 1)
        assert server.sent()[0].body["contactId"] == row.thread_id
