"""Helpers for the reply tests: a scripted ``$EDITOR``, and the terminal hand-over made
possible headless.

The scripted editor is a real program run by the app the way it runs vi: a small
Python script that replaces the body of the file it is given (after the header block)
with the text in ``$FAKE_EDITOR_BODY`` (or a file named by ``$FAKE_EDITOR_BODY_FILE``;
after the body already there with ``$FAKE_EDITOR_KEEP_BODY=1``), keeping or dropping
the quote, and that logs each run so a test can count them.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from lemlist_inbox.ui.reply import editor as editor_module

if TYPE_CHECKING:
    from lemlist_inbox.demo import DemoServer
    from lemlist_inbox.ui.app import InboxApp

SCRIPT = textwrap.dedent(
    """
    import os, sys
    path = sys.argv[-1]
    text = open(path, encoding="utf-8").read()
    head, sep, rest = text.partition("\\n\\n")
    body_file = os.environ.get("FAKE_EDITOR_BODY_FILE")
    body = open(body_file, encoding="utf-8").read() if body_file else os.environ.get("FAKE_EDITOR_BODY", "")
    quoted = lambda l: l.startswith((">", "On ")) or l == "Earlier:"
    quote = "\\n".join(l for l in rest.split("\\n") if quoted(l))
    keep = os.environ.get("FAKE_EDITOR_KEEP_QUOTE") == "1"
    if os.environ.get("FAKE_EDITOR_KEEP_BODY") == "1":
        kept = "\\n".join(l for l in rest.split("\\n") if not quoted(l)).strip("\\n")
        body = kept + "\\n" + body
    with open(path, "w", encoding="utf-8") as out:
        out.write(head + "\\n\\n" + body + ("\\n\\n" + quote if keep and quote else "") + "\\n")
    log = os.environ.get("FAKE_EDITOR_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(path + "\\n")
    """
)


@pytest.fixture
def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``$EDITOR`` set to the scripted editor; the terminal hand-over is a no-op (headless).
    (Pair it with ``reply_tmp``, imported beside it, for the reply files.)

    Yields the log file: one line per run of the editor.
    """
    script = tmp_path / "fake_editor.py"
    script.write_text(SCRIPT, encoding="utf-8")
    log = tmp_path / "editor.log"
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("FAKE_EDITOR_LOG", str(log))

    @contextlib.contextmanager
    def no_suspend(app: Any) -> Iterator[None]:
        yield

    monkeypatch.setattr(editor_module, "terminal_for_editor", no_suspend)
    yield log


@pytest.fixture(autouse=True)
def reply_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Reply files (``ReplyFile``) go under the test's tmp dir: a test that ends with a
    reply open (kept on purpose, as at a crash) leaves nothing in the machine's /tmp."""
    folder = tmp_path / "reply-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def registered_app(make_server: Any, apps: list[InboxApp]) -> tuple[DemoServer, InboxApp]:
    """A fresh stand-in and an app on it, registered in ``apps`` so it is shut down after."""
    from ui_helpers import make_app

    server: DemoServer = make_server()
    app = make_app(server)
    apps.append(app)
    return server, app


def editor_runs(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


async def start_reply(app: Any, pilot: Any, row: int = 0) -> Any:
    """Open the conversation on ``row``, then press ``R``; the main screen."""
    from ui_helpers import loaded, wait_for

    screen = await loaded(app)
    for _ in range(row):
        await pilot.press("j")
    await pilot.press("enter")
    await wait_for(lambda: screen.thread.state == "thread")
    await pilot.press("R")
    return screen


def review(app: Any) -> Any:
    from lemlist_inbox.ui.reply.review import ReviewScreen

    assert isinstance(app.screen, ReviewScreen), app.screen
    return app.screen


async def reach_review(app: Any, pilot: Any) -> Any:
    """Wait for the review screen; a draft offered on the way is declined (a new reply)."""
    from ui_helpers import wait_for

    from lemlist_inbox.ui.reply.ask import Choose
    from lemlist_inbox.ui.reply.review import ReviewScreen

    await wait_for(lambda: isinstance(app.screen, ReviewScreen | Choose))
    if isinstance(app.screen, Choose):
        await pilot.press("end", "enter")
    await wait_for(lambda: isinstance(app.screen, ReviewScreen))
    return review(app)
