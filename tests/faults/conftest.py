"""Fixtures from the TUI harness: ``make_server`` (stand-ins stopped at teardown) and
``apps`` (their clients closed at teardown)."""

from tui_harness import apps, make_server

__all__ = ["apps", "make_server"]
