"""Fixtures for the api tests (helpers live in ``api_helpers``)."""

from __future__ import annotations

import pytest
from api_helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
