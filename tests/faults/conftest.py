"""Fixtures from the TUI harness: ``make_server`` (stand-ins stopped at teardown),
``apps`` (their clients closed at teardown) and a private data dir for every test."""

from tui_harness import apps, make_server, private_data_dir

__all__ = ["apps", "make_server", "private_data_dir"]
