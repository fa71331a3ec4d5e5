"""Widgets of the inbox UI (the thread pane lives in ``ui.thread.view``)."""
