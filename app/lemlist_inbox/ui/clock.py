"""The one source of "now" for the UI.

Relative times ("5m", "3h") depend on the current time; injecting the clock makes
snapshot tests deterministic and lets tests move time forward without sleeping.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, aware, in the local timezone (``TZ`` from the environment)."""
    return datetime.now().astimezone()


def local_tz(clock: Clock) -> tzinfo | None:
    """The timezone the clock reports in, used to show absolute local times."""
    return clock().tzinfo
