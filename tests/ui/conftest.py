"""Fixtures for the inbox UI tests (helpers are in ``ui_helpers``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from ui_helpers import REFERENCE, ServerFactory

from lemlist_inbox.demo import DemoServer, Faults
from lemlist_inbox.ui.app import InboxApp


@pytest.fixture
def make_server() -> Iterator[ServerFactory]:
    """Start demo servers (small, deterministic datasets); all stopped at teardown."""
    started: list[DemoServer] = []

    def make(
        conversations: int = 30, *, users: int = 3, faults: Faults | None = None, **kw: Any
    ) -> DemoServer:
        faults = faults or Faults(rate_limit=False)
        server = DemoServer(
            conversations=conversations, users=users, faults=faults, reference=REFERENCE, **kw
        )
        started.append(server.start())
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
async def apps() -> AsyncIterator[list[InboxApp]]:
    """Collects apps made in a test so their clients are closed afterwards."""
    made: list[InboxApp] = []
    yield made
    for app in made:
        await app.client.aclose()
