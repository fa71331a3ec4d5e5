"""Fixtures for the stand-in's own tests: a fresh server per test, raw httpx clients."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from lemlist_inbox.demo import DEMO_API_KEY, DemoServer

REFERENCE = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=250, reference=REFERENCE) as running:
        yield running
    assert running.errors == []


@pytest.fixture
def http(server: DemoServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, auth=("", DEMO_API_KEY), timeout=5) as client:
        yield client


@pytest.fixture
def user_id(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])
