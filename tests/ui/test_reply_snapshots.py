"""SVG snapshots of the reply screens: the review (80x24 and 160x45) and the outbox.

Deterministic as the main screens' (seeded demo data, pinned clock, TZ=UTC); the
editor is the scripted one, so the text reviewed is always the same. Update with
``pytest tests/ui/test_reply_snapshots.py --snapshot-update`` after looking at them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from reply_helpers import fake_editor, reach_review, reply_tmp, start_reply
from textual.pilot import Pilot
from ui_helpers import make_app, snapshot_server, wait_for

from lemlist_inbox.demo import DemoServer, Faults
from lemlist_inbox.inbox.local import StoreOptions
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.reply.outbox_screen import OutboxScreen
from lemlist_inbox.ui.screens.main import MainScreen

__all__ = ["fake_editor", "reply_tmp"]

SnapCompare = Callable[..., bool]
BODY = (
    "Thanks Victoire, <b>Tuesday</b> & Wednesday both work.\n\nSee https://example.com/agenda\n\nBest,\nJohn"
)


@pytest.fixture
def body(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_EDITOR_BODY", BODY)
    monkeypatch.setenv("FAKE_EDITOR_KEEP_QUOTE", "1")


def served(faults: Faults | None = None) -> Iterator[DemoServer]:
    with snapshot_server(20, faults=faults) as running:
        yield running


@pytest.fixture
def server() -> Iterator[DemoServer]:
    yield from served()


@pytest.fixture
def failing_server() -> Iterator[DemoServer]:
    yield from served(
        Faults(rate_limit=False, write_failures=2, write_status=400, write_message="Mailbox disconnected")
    )


def stored(server: DemoServer, data_dir: Path) -> InboxApp:
    """The app with a local inbox (the outbox's home), so no "kept only until you quit"."""
    app = make_app(server, page_size=100)
    app.store_options = StoreOptions(data_dir=data_dir, base_url=server.base_url, demo=True)
    return app


async def to_review(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, InboxApp)
    await start_reply(app, pilot, row=1)
    await reach_review(app, pilot)
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_review_screen(
    snap_compare: SnapCompare,
    server: DemoServer,
    fake_editor: Path,
    body: None,
    size: tuple[int, int],
    tmp_path: Path,
) -> None:
    assert snap_compare(stored(server, tmp_path / "data"), terminal_size=size, run_before=to_review)


def test_outbox_screen(
    snap_compare: SnapCompare, failing_server: DemoServer, fake_editor: Path, body: None, tmp_path: Path
) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, InboxApp)
        for row in (1, 2):
            screen = await start_reply(app, pilot, row=row)
            await reach_review(app, pilot)
            await pilot.press("y")
            await wait_for(lambda: isinstance(app.screen, MainScreen))
            status = screen.status
            await wait_for(lambda: "not sent" in status.state.outbox)  # noqa: B023 (awaited here)
            await pilot.press("escape")
        app.clear_notifications()
        await pilot.press("O")
        await wait_for(lambda: isinstance(app.screen, OutboxScreen) and len(app.screen.shown) == 2)
        await pilot.pause(0.2)

    app = stored(failing_server, tmp_path / "data")
    assert snap_compare(app, terminal_size=(100, 24), run_before=run_before)
