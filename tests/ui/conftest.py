"""Fixtures for the inbox UI tests: ``make_server`` and ``apps`` from ``tui_harness``
(helpers are in ``ui_helpers``)."""

from tui_harness import apps, make_server

__all__ = ["apps", "make_server"]
