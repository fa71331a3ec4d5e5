"""SVG snapshots of the thread's link picker (``L``) and attachment picker (``A``), on the
deterministic demo data (as ``test_app_snapshots``). Update with
``pytest tests/ui/test_picker_snapshots.py --snapshot-update`` after looking at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_app_snapshots import open_row
from textual.pilot import Pilot
from ui_helpers import make_app, snapshot_server, wait_for

from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.attachment_picker import AttachmentPicker
from lemlist_inbox.ui.screens.link_picker import LinkPicker

SnapCompare = Callable[..., bool]
#: Rows of the demo data (40 conversations, seed 7): one with four links, one with two
#: attachments of which one has no URL.
LINKS_ROW, ATTACHMENTS_ROW = 14, 4


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with snapshot_server() as running:
        yield running


def app_for(server: DemoServer) -> InboxApp:
    settings = Settings(
        api_key=DEMO_API_KEY, base_url=server.base_url, download_dir=Path("/home/you/Downloads")
    )
    return make_app(server, page_size=100, settings=settings)


def picker_open(row: int, key: str, kind: type[Any]) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_row(pilot, row)
        await pilot.press(key)
        await wait_for(lambda: isinstance(pilot.app.screen, kind))
        await pilot.pause(0.2)

    return run_before


def test_link_picker_80x24(snap_compare: SnapCompare, server: DemoServer) -> None:
    run_before = picker_open(LINKS_ROW, "L", LinkPicker)
    assert snap_compare(app_for(server), terminal_size=(80, 24), run_before=run_before)


def test_link_picker_160x45(snap_compare: SnapCompare, server: DemoServer) -> None:
    run_before = picker_open(LINKS_ROW, "L", LinkPicker)
    assert snap_compare(app_for(server), terminal_size=(160, 45), run_before=run_before)


def test_attachment_picker_80x24(snap_compare: SnapCompare, server: DemoServer) -> None:
    run_before = picker_open(ATTACHMENTS_ROW, "A", AttachmentPicker)
    assert snap_compare(app_for(server), terminal_size=(80, 24), run_before=run_before)
