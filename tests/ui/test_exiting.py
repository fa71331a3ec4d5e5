"""Workers that resume during exit end quietly; while the app runs, a missing widget still raises."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from textual.css.query import NoMatches

from lemlist_inbox.ui.exiting import quiet_at_exit

UI = Path(__file__).resolve().parents[2] / "app" / "lemlist_inbox" / "ui"


@dataclass
class FakeApp:
    is_running: bool


@dataclass
class FakeScreen:
    app: FakeApp
    touched: list[str] = field(default_factory=list)

    @quiet_at_exit
    async def worker(self, what: str) -> str:
        self.touched.append(what)
        raise NoMatches(f"No nodes match {what!r}")

    @quiet_at_exit
    async def fine(self) -> str:
        return "done"


def test_missing_widget_at_exit_ends_the_worker() -> None:
    screen = FakeScreen(FakeApp(is_running=False))
    assert asyncio.run(screen.worker("#status")) is None
    assert screen.touched == ["#status"]


def test_missing_widget_while_running_is_still_an_error() -> None:
    screen = FakeScreen(FakeApp(is_running=True))
    with pytest.raises(NoMatches):
        asyncio.run(screen.worker("#status"))


def test_result_passes_through() -> None:
    assert asyncio.run(FakeScreen(FakeApp(is_running=True)).fine()) == "done"


def test_every_crashing_async_worker_is_wrapped() -> None:
    """A ``@work`` that would crash the app on error (the default) must end quietly at exit."""
    unwrapped: list[str] = []
    for path in sorted(UI.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if not re.match(r"\s*@work\(", line) or "exit_on_error=False" in line or "thread=True" in line:
                continue
            if lines[number + 1].strip() != "@quiet_at_exit":
                unwrapped.append(f"{path.relative_to(UI)}:{number + 1}")
    assert not unwrapped, unwrapped
