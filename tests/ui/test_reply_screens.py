"""The reply flow's screens on their own: editor (scripted and in-app), review keys.

The backend here is an in-memory stand-in for the reply service, so these tests pin the
UI's part (what reaches the review, what each key decides, that nothing is sent
without ``y``); the sending itself, over loopback HTTP, is in ``test_reply_send``.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from reply_helpers import editor_runs, fake_editor
from ui_helpers import loaded, make_app, wait_for

from lemlist_inbox.inbox.compose import Reply, ReplyTemplate
from lemlist_inbox.inbox.outbox import OutboxEntry
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.reply.ask import Ask
from lemlist_inbox.ui.reply.backend import DraftInfo, Prepared, ReplyTarget, SendOutcome
from lemlist_inbox.ui.reply.internal_editor import InternalEditor
from lemlist_inbox.ui.reply.review import ReviewScreen
from lemlist_inbox.ui.screens.main import MainScreen

__all__ = ["fake_editor"]


@dataclass
class FakeBackend:
    sent: list[tuple[Reply, str | None]] = field(default_factory=list)
    drafts: list[DraftInfo] = field(default_factory=list)
    postponed: list[Reply] = field(default_factory=list)

    async def prepare(self, target: ReplyTarget) -> Prepared:
        template = ReplyTemplate(
            to=f"{target.contact_name} <{target.contact_email}>",
            channel="email",
            sender="John Doe <john@acme.test>",
            subject="Re: Pricing",
            quoted="the message being answered",
            attribution="On Tue, they wrote:",
        )
        return Prepared(template, tuple(self.drafts))

    async def draft_count(self, target: ReplyTarget) -> int:
        return len(self.drafts)

    def draft_text(self, prepared: Prepared, draft: DraftInfo) -> str:
        from dataclasses import replace

        from lemlist_inbox.inbox.compose import render_template

        return render_template(replace(prepared.template, body=draft.body))

    async def send(
        self, target: ReplyTarget, prepared: Prepared, reply: Reply, text: str, *, draft_id: str | None
    ) -> SendOutcome:
        self.sent.append((reply, draft_id))
        return SendOutcome("sent")

    async def postpone(
        self, target: ReplyTarget, prepared: Prepared, reply: Reply, *, draft_id: str | None
    ) -> str:
        self.postponed.append(reply)
        return draft_id or "drf_new"

    def waiting(self) -> list[OutboxEntry]:
        return []

    async def retry(self, entry: OutboxEntry, *, confirmed_not_sent: bool = False) -> SendOutcome:
        raise AssertionError("not used")

    async def appears_sent(self, entry: OutboxEntry) -> bool:
        raise AssertionError("not used")

    def discard(self, entry: OutboxEntry) -> None:
        raise AssertionError("not used")


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakeBackend:
    fake = FakeBackend()
    # The reply's private folder goes under this test's tmp dir, to be looked at.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    from lemlist_inbox.ui.screens import main

    monkeypatch.setattr(main, "reply_backend", lambda screen: fake)
    return fake


def review(app: InboxApp) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen), app.screen
    return app.screen


async def start_reply(app: InboxApp, pilot: Any, row: int = 0) -> MainScreen:
    screen = await loaded(app)
    for _ in range(row):
        await pilot.press("j")
    await pilot.press("enter")
    await wait_for(lambda: screen.thread.state == "thread")
    await pilot.press("R")
    return screen


async def test_editor_script_body_reaches_the_review_and_y_sends(
    make_server: Any,
    apps: list[InboxApp],
    backend: FakeBackend,
    fake_editor: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "Thanks <b>&</b>\n<script>alert(1)</script>")
    server = make_server()
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=(120, 30)) as pilot:
        opened = await start_reply(app, pilot, row=2)
        replied = opened.store.view_at(2).id
        await wait_for(lambda: isinstance(app.screen, ReviewScreen))
        screen = review(app)
        assert screen.reply is not None
        assert screen.reply.body == "Thanks <b>&</b>\n<script>alert(1)</script>"
        preview = screen.query_one("#review-preview").text  # type: ignore[attr-defined]
        assert "Thanks <b>&</b>" in preview and "<script>alert(1)</script>" in preview
        assert not backend.sent
        folder = Path(tempfile.gettempdir())
        files = list(folder.glob("lemlist-reply-*/reply.txt"))
        assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) == 0o600
        assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
        await pilot.press("y")
        await wait_for(lambda: bool(backend.sent))
        assert editor_runs(fake_editor) == 1
        reply, _draft = backend.sent[0]
        assert "&lt;b&gt;&amp;&lt;/b&gt;" in reply.html and "<script>" not in reply.html
        main = await loaded(app)
        await wait_for(lambda: "<script>alert(1)</script>" in main.thread.layout_text)
        assert main.store.view_at(0).id == replied == main.thread.current_conversation_id
        await wait_for(lambda: not list(folder.glob("lemlist-reply-*")))


async def test_e_edits_again_p_postpones_n_asks(
    make_server: Any,
    apps: list[InboxApp],
    backend: FakeBackend,
    fake_editor: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "first words")
    server = make_server()
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await start_reply(app, pilot)
        await wait_for(lambda: isinstance(app.screen, ReviewScreen))
        monkeypatch.setenv("FAKE_EDITOR_BODY", "second words")
        await pilot.press("e")
        await wait_for(
            lambda: (
                isinstance(app.screen, ReviewScreen)
                and review(app).reply is not None
                and review(app).reply.body == "second words"
            )
        )  # type: ignore[union-attr]
        assert editor_runs(fake_editor) == 2
        await pilot.press("n")
        await wait_for(lambda: isinstance(app.screen, Ask))
        await pilot.press("n")  # no: back to the review, nothing lost
        await wait_for(lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("p")
        await wait_for(lambda: bool(backend.postponed))
        assert backend.postponed[0].body == "second words"
        assert not backend.sent
        await wait_for(lambda: isinstance(app.screen, MainScreen))


async def test_empty_reply_is_never_sent(
    make_server: Any,
    apps: list[InboxApp],
    backend: FakeBackend,
    fake_editor: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", "   ")
    server = make_server()
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await start_reply(app, pilot)
        await wait_for(lambda: isinstance(app.screen, ReviewScreen))
        assert review(app).problem is not None and "empty" in review(app).problem  # type: ignore[operator]
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and not backend.sent
        await pilot.press("n")  # nothing written: discarded without a question
        await wait_for(lambda: isinstance(app.screen, MainScreen))
        assert not backend.sent


async def test_in_app_editor_when_there_is_no_terminal(
    make_server: Any, apps: list[InboxApp], backend: FakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real editor set, but headless: App.suspend cannot hand the terminal over.
    monkeypatch.setenv("EDITOR", "vi")
    server = make_server()
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await start_reply(app, pilot)
        await wait_for(lambda: isinstance(app.screen, InternalEditor))
        editor = app.screen
        assert isinstance(editor, InternalEditor)
        await pilot.press(*"Hello from the app")
        await pilot.press("ctrl+s")
        await wait_for(lambda: isinstance(app.screen, ReviewScreen))
        assert review(app).reply is not None and review(app).reply.body == "Hello from the app"  # type: ignore[union-attr]
        await pilot.press("y")
        await wait_for(lambda: bool(backend.sent))
        assert os.environ["EDITOR"] == "vi"


async def test_reply_keys_are_bound_and_in_the_help(make_server: Any, apps: list[InboxApp]) -> None:
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
