"""Fixtures for the inbox UI tests, from ``tui_harness``: ``make_server``, ``apps`` and a
private data dir for every test (helpers are in ``ui_helpers``)."""

from tui_harness import apps, make_server, private_data_dir

__all__ = ["apps", "make_server", "private_data_dir"]
